"""Demo data: four library networks of the library-development programme.

The three lead libraries in Morawica, Korsze and Brzesko come from the programme report. The
report names Komarówka Podlaska only as a partner, so its network (led from Radzyń Podlaski) is a
demo assumption and says so in ``DemoNetwork.assumption``. Partner lists are real public libraries
in neighbouring gminas picked for the demo; they are not taken from the report.

Coordinates are town-centre points (GeoNames), not library buildings, unless ``address_note``
says otherwise; docs/demo-data.md lists which values were verified and how.

This module is pure data (standard library only, no I/O) so that the loader, tests and the
README can import it without side effects. Run it directly to execute ``_self_check()``.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date

__all__ = [
    "LIBRARIES",
    "NETWORKS",
    "PEOPLE",
    "DemoLibrary",
    "DemoNetwork",
    "DemoPerson",
]


@dataclass(frozen=True)
class DemoLibrary:
    key: str  # short slug, unique, e.g. "morawica"
    name: str  # official Polish name
    kind: str  # "municipal" | "urban_rural" | "county_city" | "city" | "branch"
    address: str  # street and number
    postal_code: str  # "26-026"
    town: str
    gmina: str
    powiat: str
    voivodeship: str  # e.g. "świętokrzyskie"
    latitude: float
    longitude: float
    address_note: str = ""  # e.g. "approximate: town centre"


@dataclass(frozen=True)
class DemoNetwork:
    key: str
    name: str  # Polish, e.g. "Sieć bibliotek wokół Morawicy"
    lead: str  # DemoLibrary.key
    partners: tuple[str, ...]
    started_on: date
    assumption: str = ""  # non-empty when the network is a demo assumption


@dataclass(frozen=True)
class DemoPerson:
    key: str
    full_name: str  # plausible Polish names, clearly fictional
    email: str  # always under the reserved example.org domain
    library: str | None  # DemoLibrary.key; None for the programme coordinator
    role: str  # "coordinator" | "lead_librarian" | "partner_librarian"
    language: str = "pl"


# Shared notes, so the UI and the docs use one wording for the same level of certainty.
_CENTRE = "approximate: town centre (GeoNames point); street address not verified"
_CENTRE_COORDS = "coordinates approximate: town centre (GeoNames point)"

# "centrum miejscowości" stands in for a street we could not verify; inventing a plausible street
# would look authoritative in the demo and be wrong.
_NO_STREET = "centrum miejscowości"

LIBRARIES: tuple[DemoLibrary, ...] = (
    # --- Lead libraries named in the programme report -------------------------------------
    DemoLibrary(
        key="morawica",
        # Programme-era name; Morawica became a town in 2017 and the library is now
        # "Miejsko-Gminna", but the demo replays the 2012 networks.
        name="Gminna Biblioteka Publiczna im. Jana Pawła II w Morawicy",
        kind="municipal",
        address="ul. Kielecka 26",
        postal_code="26-026",
        town="Morawica",
        gmina="Morawica",
        powiat="kielecki",
        voivodeship="świętokrzyskie",
        latitude=50.7468,
        longitude=20.6176,
        address_note="street address as published by the gmina (c. 2012); " + _CENTRE_COORDS,
    ),
    DemoLibrary(
        key="korsze",
        name="Miejsko-Gminna Biblioteka Publiczna w Korszach",
        kind="urban_rural",
        address=_NO_STREET,
        postal_code="11-430",
        town="Korsze",
        gmina="Korsze",
        powiat="kętrzyński",
        voivodeship="warmińsko-mazurskie",
        # Coordinates from the product issue; the GeoNames centre is ~0.1 km away.
        latitude=54.1710,
        longitude=21.1410,
        address_note=_CENTRE,
    ),
    DemoLibrary(
        key="brzesko",
        name="Powiatowa i Miejska Biblioteka Publiczna w Brzesku",
        kind="county_city",
        # Since 2011 the library is in the Regionalne Centrum Kulturalno-Biblioteczne; the
        # street number is from memory and was not confirmed by a source.
        address="ul. Głowackiego 51",
        postal_code="32-800",
        town="Brzesko",
        gmina="Brzesko",
        powiat="brzeski",
        voivodeship="małopolskie",
        # Coordinates from the product issue; the GeoNames centre is ~0.8 km west.
        latitude=49.9670,
        longitude=20.6170,
        address_note="street address unverified; " + _CENTRE_COORDS,
    ),
    # --- Demo assumption: the lead for Komarówka Podlaska ----------------------------------
    DemoLibrary(
        key="radzyn",
        name="Miejska Biblioteka Publiczna im. Zenona Przesmyckiego w Radzyniu Podlaskim",
        kind="city",
        address=_NO_STREET,
        postal_code="21-300",
        town="Radzyń Podlaski",
        # Radzyń Podlaski is both an urban gmina (the town) and a separate rural gmina.
        gmina="Radzyń Podlaski (gmina miejska)",
        powiat="radzyński",
        voivodeship="lubelskie",
        latitude=51.7833,
        longitude=22.6167,
        address_note=_CENTRE,
    ),
    # --- Partners of Morawica (powiat kielecki) --------------------------------------------
    DemoLibrary(
        key="checiny",
        name="Miejsko-Gminna Biblioteka Publiczna w Chęcinach",
        kind="urban_rural",
        address=_NO_STREET,
        postal_code="26-060",
        town="Chęciny",
        gmina="Chęciny",
        powiat="kielecki",
        voivodeship="świętokrzyskie",
        latitude=50.8002,
        longitude=20.4623,
        address_note=_CENTRE,
    ),
    DemoLibrary(
        key="chmielnik",
        name="Miejsko-Gminna Biblioteka Publiczna w Chmielniku",
        kind="urban_rural",
        address=_NO_STREET,
        postal_code="26-020",
        town="Chmielnik",
        gmina="Chmielnik",
        powiat="kielecki",
        voivodeship="świętokrzyskie",
        latitude=50.6144,
        longitude=20.7521,
        address_note=_CENTRE,
    ),
    DemoLibrary(
        key="pierzchnica",
        # Programme-era name (the library now calls itself "Miejsko-Gminna").
        name="Gminna Biblioteka Publiczna w Pierzchnicy",
        kind="municipal",
        address=_NO_STREET,
        postal_code="26-015",
        town="Pierzchnica",
        gmina="Pierzchnica",
        powiat="kielecki",
        voivodeship="świętokrzyskie",
        latitude=50.6975,
        longitude=20.7549,
        address_note=_CENTRE,
    ),
    DemoLibrary(
        key="daleszyce",
        name="Miejsko-Gminna Biblioteka Publiczna w Daleszycach",
        kind="urban_rural",
        address=_NO_STREET,
        postal_code="26-021",
        town="Daleszyce",
        gmina="Daleszyce",
        powiat="kielecki",
        voivodeship="świętokrzyskie",
        latitude=50.8023,
        longitude=20.8079,
        address_note=_CENTRE,
    ),
    # --- Partners of Korsze (powiat kętrzyński and bartoszycki) -----------------------------
    DemoLibrary(
        key="reszel",
        name="Miejsko-Gminna Biblioteka Publiczna w Reszlu",
        kind="urban_rural",
        address=_NO_STREET,
        postal_code="11-440",
        town="Reszel",
        gmina="Reszel",
        powiat="kętrzyński",
        voivodeship="warmińsko-mazurskie",
        latitude=54.0504,
        longitude=21.1459,
        address_note=_CENTRE,
    ),
    DemoLibrary(
        key="sepopol",
        name="Miejsko-Gminna Biblioteka Publiczna w Sępopolu",
        kind="urban_rural",
        address=_NO_STREET,
        postal_code="11-210",
        town="Sępopol",
        gmina="Sępopol",
        powiat="bartoszycki",
        voivodeship="warmińsko-mazurskie",
        latitude=54.2690,
        longitude=21.0145,
        address_note=_CENTRE,
    ),
    DemoLibrary(
        key="barciany",
        name="Gminna Biblioteka Publiczna w Barcianach",
        kind="municipal",
        address=_NO_STREET,
        postal_code="11-410",
        town="Barciany",
        gmina="Barciany",
        powiat="kętrzyński",
        voivodeship="warmińsko-mazurskie",
        latitude=54.2199,
        longitude=21.3535,
        address_note=_CENTRE,
    ),
    DemoLibrary(
        key="bisztynek",
        name="Miejsko-Gminna Biblioteka Publiczna w Bisztynku",
        kind="urban_rural",
        address=_NO_STREET,
        postal_code="11-230",
        town="Bisztynek",
        gmina="Bisztynek",
        powiat="bartoszycki",
        voivodeship="warmińsko-mazurskie",
        latitude=54.0863,
        longitude=20.9019,
        address_note=_CENTRE,
    ),
    # --- Partners of Brzesko (powiat brzeski) ----------------------------------------------
    DemoLibrary(
        key="borzecin",
        name="Gminna Biblioteka Publiczna w Borzęcinie",
        kind="municipal",
        address=_NO_STREET,
        postal_code="32-825",
        town="Borzęcin",
        gmina="Borzęcin",
        powiat="brzeski",
        voivodeship="małopolskie",
        latitude=50.0654,
        longitude=20.7110,
        address_note=_CENTRE,
    ),
    DemoLibrary(
        key="debno",
        name="Gminna Biblioteka Publiczna w Dębnie",
        kind="municipal",
        address=_NO_STREET,
        postal_code="32-852",
        town="Dębno",
        gmina="Dębno",
        powiat="brzeski",
        voivodeship="małopolskie",
        latitude=49.9670,
        longitude=20.7198,
        address_note=_CENTRE,
    ),
    DemoLibrary(
        key="gnojnik",
        name="Gminna Biblioteka Publiczna w Gnojniku",
        kind="municipal",
        address=_NO_STREET,
        postal_code="32-864",
        town="Gnojnik",
        gmina="Gnojnik",
        powiat="brzeski",
        voivodeship="małopolskie",
        latitude=49.8940,
        longitude=20.6086,
        address_note=_CENTRE,
    ),
    DemoLibrary(
        key="szczurowa",
        name="Gminna Biblioteka Publiczna w Szczurowej",
        kind="municipal",
        address=_NO_STREET,
        postal_code="32-820",
        town="Szczurowa",
        gmina="Szczurowa",
        powiat="brzeski",
        voivodeship="małopolskie",
        latitude=50.1192,
        longitude=20.6361,
        address_note=_CENTRE,
    ),
    DemoLibrary(
        key="czchow",
        name="Miejsko-Gminna Biblioteka Publiczna w Czchowie",
        kind="urban_rural",
        address=_NO_STREET,
        postal_code="32-860",
        town="Czchów",
        gmina="Czchów",
        powiat="brzeski",
        voivodeship="małopolskie",
        latitude=49.8373,
        longitude=20.6806,
        address_note=_CENTRE,
    ),
    # --- Partners of Radzyń Podlaski (powiat radzyński) ------------------------------------
    DemoLibrary(
        key="komarowka",
        name="Gminna Biblioteka Publiczna w Komarówce Podlaskiej",
        kind="municipal",
        address=_NO_STREET,
        postal_code="21-311",
        town="Komarówka Podlaska",
        gmina="Komarówka Podlaska",
        powiat="radzyński",
        voivodeship="lubelskie",
        latitude=51.8032,
        longitude=22.9439,
        address_note=_CENTRE,
    ),
    DemoLibrary(
        key="wohyn",
        name="Gminna Biblioteka Publiczna w Wohyniu",
        kind="municipal",
        address=_NO_STREET,
        postal_code="21-310",
        town="Wohyń",
        gmina="Wohyń",
        powiat="radzyński",
        voivodeship="lubelskie",
        latitude=51.7564,
        longitude=22.7858,
        address_note=_CENTRE,
    ),
    DemoLibrary(
        key="czemierniki",
        name="Gminna Biblioteka Publiczna w Czemiernikach",
        kind="municipal",
        address=_NO_STREET,
        postal_code="21-306",
        town="Czemierniki",
        gmina="Czemierniki",
        powiat="radzyński",
        voivodeship="lubelskie",
        latitude=51.6730,
        longitude=22.6389,
        address_note=_CENTRE,
    ),
    DemoLibrary(
        key="borki",
        name="Gminna Biblioteka Publiczna w Borkach",
        kind="municipal",
        address=_NO_STREET,
        postal_code="21-345",
        town="Borki",
        gmina="Borki",
        powiat="radzyński",
        voivodeship="lubelskie",
        latitude=51.7216,
        longitude=22.5213,
        address_note=_CENTRE,
    ),
)

NETWORKS: tuple[DemoNetwork, ...] = (
    DemoNetwork(
        key="morawica",
        name="Sieć bibliotek wokół Morawicy",
        lead="morawica",
        partners=("checiny", "chmielnik", "pierzchnica", "daleszyce"),
        started_on=date(2012, 9, 1),
    ),
    DemoNetwork(
        key="korsze",
        name="Sieć bibliotek wokół Korsz",
        lead="korsze",
        partners=("reszel", "sepopol", "barciany", "bisztynek"),
        started_on=date(2012, 10, 1),
    ),
    DemoNetwork(
        key="brzesko",
        name="Sieć bibliotek wokół Brzeska",
        lead="brzesko",
        partners=("borzecin", "debno", "gnojnik", "szczurowa", "czchow"),
        started_on=date(2013, 1, 15),
    ),
    DemoNetwork(
        key="radzyn",
        name="Sieć bibliotek wokół Radzynia Podlaskiego",
        lead="radzyn",
        partners=("komarowka", "wohyn", "czemierniki", "borki"),
        started_on=date(2013, 3, 1),
        assumption=(
            "Założenie demonstracyjne: raport programu wymienia GBP w Komarówce Podlaskiej "
            "tylko jako partnera i nie podaje biblioteki wiodącej. Przyjęto MBP w Radzyniu "
            "Podlaskim (siedziba powiatu radzyńskiego, ok. 23 km); pozostali partnerzy też "
            "zostali dobrani na potrzeby demo."
        ),
    ),
)

PEOPLE: tuple[DemoPerson, ...] = (
    # The first three logins are printed on the README's first screen, so they stay short and
    # memorable instead of following the name@town pattern used below.
    DemoPerson(
        key="koordynator",
        full_name="Małgorzata Wiśniewska",
        email="koordynator@example.org",
        library=None,
        role="coordinator",
    ),
    DemoPerson(
        key="lead-morawica",
        full_name="Anna Kowalczyk",
        email="lead@example.org",
        library="morawica",
        role="lead_librarian",
    ),
    DemoPerson(
        key="partner-checiny",
        full_name="Tomasz Zieliński",
        email="partner@example.org",
        library="checiny",
        role="partner_librarian",
    ),
    # --- Lead librarians --------------------------------------------------------------------
    DemoPerson(
        key="lead-korsze",
        full_name="Joanna Sadowska",
        email="joanna.sadowska@korsze.example.org",
        library="korsze",
        role="lead_librarian",
    ),
    DemoPerson(
        key="lead-brzesko",
        full_name="Piotr Mazur",
        email="piotr.mazur@brzesko.example.org",
        library="brzesko",
        role="lead_librarian",
    ),
    DemoPerson(
        key="lead-radzyn",
        full_name="Ewa Jaworska",
        email="ewa.jaworska@radzyn.example.org",
        library="radzyn",
        role="lead_librarian",
    ),
    # --- Partner librarians: Morawica network ----------------------------------------------
    DemoPerson(
        key="partner-checiny-2",
        full_name="Barbara Lis",
        email="barbara.lis@checiny.example.org",
        library="checiny",
        role="partner_librarian",
    ),
    DemoPerson(
        key="partner-chmielnik",
        full_name="Agnieszka Dudek",
        email="agnieszka.dudek@chmielnik.example.org",
        library="chmielnik",
        role="partner_librarian",
    ),
    DemoPerson(
        key="partner-pierzchnica",
        full_name="Krystyna Wójcik",
        email="krystyna.wojcik@pierzchnica.example.org",
        library="pierzchnica",
        role="partner_librarian",
    ),
    DemoPerson(
        key="partner-daleszyce",
        full_name="Marek Pawlak",
        email="marek.pawlak@daleszyce.example.org",
        library="daleszyce",
        role="partner_librarian",
    ),
    # --- Partner librarians: Korsze network ------------------------------------------------
    DemoPerson(
        key="partner-reszel",
        full_name="Elżbieta Górska",
        email="elzbieta.gorska@reszel.example.org",
        library="reszel",
        role="partner_librarian",
    ),
    DemoPerson(
        key="partner-sepopol",
        full_name="Danuta Kaczmarek",
        email="danuta.kaczmarek@sepopol.example.org",
        library="sepopol",
        role="partner_librarian",
    ),
    DemoPerson(
        key="partner-sepopol-2",
        full_name="Michał Wróbel",
        email="michal.wrobel@sepopol.example.org",
        library="sepopol",
        role="partner_librarian",
    ),
    DemoPerson(
        key="partner-barciany",
        full_name="Renata Sikora",
        email="renata.sikora@barciany.example.org",
        library="barciany",
        role="partner_librarian",
    ),
    DemoPerson(
        key="partner-bisztynek",
        full_name="Halina Baran",
        email="halina.baran@bisztynek.example.org",
        library="bisztynek",
        role="partner_librarian",
    ),
    # --- Partner librarians: Brzesko network -----------------------------------------------
    DemoPerson(
        key="partner-borzecin",
        full_name="Jolanta Duda",
        email="jolanta.duda@borzecin.example.org",
        library="borzecin",
        role="partner_librarian",
    ),
    DemoPerson(
        key="partner-debno",
        full_name="Katarzyna Nowicka",
        email="katarzyna.nowicka@debno.example.org",
        library="debno",
        role="partner_librarian",
    ),
    DemoPerson(
        key="partner-gnojnik",
        full_name="Karolina Adamczyk",
        email="karolina.adamczyk@gnojnik.example.org",
        library="gnojnik",
        role="partner_librarian",
        # The one English-language account, so a demo can show the language switch without
        # changing anyone's settings.
        language="en",
    ),
    DemoPerson(
        key="partner-szczurowa",
        full_name="Stanisław Mróz",
        email="stanislaw.mroz@szczurowa.example.org",
        library="szczurowa",
        role="partner_librarian",
    ),
    DemoPerson(
        key="partner-czchow",
        full_name="Beata Sowa",
        email="beata.sowa@czchow.example.org",
        library="czchow",
        role="partner_librarian",
    ),
    # --- Partner librarians: Radzyń Podlaski network ---------------------------------------
    DemoPerson(
        key="partner-komarowka",
        full_name="Iwona Chmiel",
        email="iwona.chmiel@komarowka.example.org",
        library="komarowka",
        role="partner_librarian",
    ),
    DemoPerson(
        key="partner-komarowka-2",
        full_name="Grzegorz Zając",
        email="grzegorz.zajac@komarowka.example.org",
        library="komarowka",
        role="partner_librarian",
    ),
    DemoPerson(
        key="partner-wohyn",
        full_name="Teresa Kot",
        email="teresa.kot@wohyn.example.org",
        library="wohyn",
        role="partner_librarian",
    ),
    DemoPerson(
        key="partner-czemierniki",
        full_name="Dorota Woźniak",
        email="dorota.wozniak@czemierniki.example.org",
        library="czemierniki",
        role="partner_librarian",
    ),
    DemoPerson(
        key="partner-borki",
        full_name="Paweł Grabowski",
        email="pawel.grabowski@borki.example.org",
        library="borki",
        role="partner_librarian",
    ),
)


# --- Self-check -------------------------------------------------------------------------------

_KINDS = frozenset({"municipal", "urban_rural", "county_city", "city", "branch"})
_ROLES = frozenset({"coordinator", "lead_librarian", "partner_librarian"})
_LANGUAGES = frozenset({"pl", "en"})
# A loose bounding box of Poland: enough to catch swapped lat/lon or a dropped digit.
_LAT_RANGE = (49.0, 54.9)
_LON_RANGE = (14.1, 24.2)
# Partners were meant to be neighbouring gminas; 60 km leaves room for large gminas.
_MAX_PARTNER_KM = 60.0
_EARTH_RADIUS_KM = 6371.0088
_POSTAL_CODE = re.compile(r"\d{2}-\d{3}")
_SLUG = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
_EMAIL = re.compile(r"[a-z0-9.\-]+@([a-z0-9\-]+\.)*example\.org")


def _haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlmb = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * _EARTH_RADIUS_KM * math.asin(math.sqrt(a))


def _duplicates(values: list[str]) -> list[str]:
    seen: set[str] = set()
    dups: set[str] = set()
    for value in values:
        (dups if value in seen else seen).add(value)
    return sorted(dups)


def _self_check() -> list[str]:
    """Validate the demo data; return report lines, raise ValueError listing every problem.

    Pure (no I/O) so a test can call it too; collecting all problems before raising saves
    a fix-run-fix loop when several values are off.
    """
    problems: list[str] = []
    report: list[str] = []

    libraries = {lib.key: lib for lib in LIBRARIES}
    for name, keys in (
        ("library", [lib.key for lib in LIBRARIES]),
        ("network", [net.key for net in NETWORKS]),
        ("person", [p.key for p in PEOPLE]),
        ("email", [p.email for p in PEOPLE]),
    ):
        for dup in _duplicates(keys):
            problems.append(f"duplicate {name} key: {dup}")

    for lib in LIBRARIES:
        where = f"library {lib.key}"
        if not _SLUG.fullmatch(lib.key):
            problems.append(f"{where}: key is not a slug")
        if lib.kind not in _KINDS:
            problems.append(f"{where}: unknown kind {lib.kind!r}")
        if not _POSTAL_CODE.fullmatch(lib.postal_code):
            problems.append(f"{where}: bad postal code {lib.postal_code!r}")
        for field in ("name", "address", "town", "gmina", "powiat", "voivodeship"):
            if not getattr(lib, field).strip():
                problems.append(f"{where}: empty {field}")
        if not _LAT_RANGE[0] <= lib.latitude <= _LAT_RANGE[1]:
            problems.append(f"{where}: latitude {lib.latitude} outside Poland")
        if not _LON_RANGE[0] <= lib.longitude <= _LON_RANGE[1]:
            problems.append(f"{where}: longitude {lib.longitude} outside Poland")
        if round(lib.latitude, 4) != lib.latitude or round(lib.longitude, 4) != lib.longitude:
            problems.append(f"{where}: coordinates should have at most 4 decimals")

    membership: dict[str, list[str]] = {key: [] for key in libraries}
    leads: set[str] = set()
    partners: set[str] = set()
    for net in NETWORKS:
        where = f"network {net.key}"
        if not 2011 <= net.started_on.year <= 2013:
            problems.append(f"{where}: started_on {net.started_on} outside the programme era")
        if not 3 <= len(net.partners) <= 5:
            problems.append(f"{where}: has {len(net.partners)} partners, expected 3-5")
        if net.lead in net.partners:
            problems.append(f"{where}: lead is also listed as a partner")
        lead = libraries.get(net.lead)
        if lead is None:
            problems.append(f"{where}: unknown lead {net.lead!r}")
            continue
        leads.add(net.lead)
        membership[net.lead].append(net.key)
        report.append(f"{net.key}: lead {lead.town}")
        for key in net.partners:
            partner = libraries.get(key)
            if partner is None:
                problems.append(f"{where}: unknown partner {key!r}")
                continue
            partners.add(key)
            membership[key].append(net.key)
            km = _haversine_km(lead.latitude, lead.longitude, partner.latitude, partner.longitude)
            report.append(f"  {partner.town:<20} {km:5.1f} km")
            if km > _MAX_PARTNER_KM:
                problems.append(f"{where}: partner {key} is {km:.1f} km from the lead")

    for key, nets in membership.items():
        if len(nets) != 1:
            problems.append(f"library {key}: in {len(nets)} networks, expected exactly 1")

    # The Komarówka network is the one the report does not give us; it must say so.
    for net in NETWORKS:
        if "komarowka" in net.partners and not net.assumption.strip():
            problems.append(f"network {net.key}: Komarówka's network must carry an assumption")

    lead_staff: dict[str, int] = dict.fromkeys(leads, 0)
    partner_staff: dict[str, int] = dict.fromkeys(partners, 0)
    for person in PEOPLE:
        where = f"person {person.key}"
        if person.role not in _ROLES:
            problems.append(f"{where}: unknown role {person.role!r}")
        if person.language not in _LANGUAGES:
            problems.append(f"{where}: unknown language {person.language!r}")
        if not _EMAIL.fullmatch(person.email):
            problems.append(f"{where}: email {person.email!r} is not under example.org")
        if person.role == "coordinator":
            if person.library is not None:
                problems.append(f"{where}: the coordinator belongs to no library")
        elif person.role == "lead_librarian":
            if person.library not in lead_staff:
                problems.append(f"{where}: lead librarian of a non-lead library")
            else:
                lead_staff[person.library] += 1
        elif person.role == "partner_librarian":
            if person.library not in partner_staff:
                problems.append(f"{where}: partner librarian of a non-partner library")
            else:
                partner_staff[person.library] += 1

    if sum(p.role == "coordinator" for p in PEOPLE) != 1:
        problems.append("expected exactly one coordinator")
    for key, count in sorted(lead_staff.items()):
        if count != 1:
            problems.append(f"lead library {key}: {count} lead librarians, expected 1")
    for key, count in sorted(partner_staff.items()):
        if not 1 <= count <= 2:
            problems.append(f"partner library {key}: {count} partner librarians, expected 1-2")
    if not any(p.language == "en" for p in PEOPLE):
        problems.append("expected at least one English-speaking person for the language demo")

    # The README promises these three logins; keep them honest.
    by_email = {p.email: p for p in PEOPLE}
    morawica_partners = next((n.partners for n in NETWORKS if n.lead == "morawica"), ())
    expected = (
        ("koordynator@example.org", "coordinator", None),
        ("lead@example.org", "lead_librarian", ("morawica",)),
        ("partner@example.org", "partner_librarian", morawica_partners),
    )
    for email, role, allowed_libraries in expected:
        person = by_email.get(email)
        if person is None or person.role != role:
            problems.append(f"README login {email} missing or not a {role}")
        elif allowed_libraries is not None and person.library not in allowed_libraries:
            problems.append(f"README login {email} is not in the Morawica network")

    if problems:
        raise ValueError("demo data self-check failed:\n" + "\n".join(problems))
    report.append(f"OK: {len(LIBRARIES)} libraries, {len(NETWORKS)} networks, {len(PEOPLE)} people")
    return report


if __name__ == "__main__":
    print("\n".join(_self_check()))
