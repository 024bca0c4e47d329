// Moderator tools: lock the room (read-only) or open it again, end the session, remove a
// participant. The server checks every one of them again.
import { t } from "../i18n.js";
import { errorText } from "./connection.js";

export function setupModeration(box, { connection, roomId, kind, onError, onRoom }) {
  if (!box) return { apply() {} };
  const lock = box.querySelector(".mod-lock");
  const end = box.querySelector(".mod-end");
  let locked = false;
  lock.addEventListener("click", async () => {
    try {
      onRoom(await connection.call("lock", { room_id: roomId, locked: !locked }));
    } catch (error) {
      onError(errorText(error));
    }
  });
  if (end) {
    end.hidden = kind !== "session";
    end.addEventListener("click", async () => {
      if (!window.confirm(t("rooms.mod.confirm_end"))) return;
      try {
        onRoom(await connection.call("end_session", { room_id: roomId }));
      } catch (error) {
        onError(errorText(error));
      }
    });
  }
  return {
    apply(room) {
      locked = Boolean(room.locked);
      lock.textContent = locked ? t("rooms.mod.unlock") : t("rooms.mod.lock");
      if (room.ended) {
        lock.hidden = true;
        if (end) end.hidden = true;
      }
    },
  };
}

export async function removeParticipant(connection, roomId, person, onError) {
  if (!window.confirm(t("rooms.mod.confirm_remove", { name: person.name }))) return;
  try {
    await connection.call("remove", { room_id: roomId, who: person.who });
  } catch (error) {
    onError(errorText(error));
  }
}
