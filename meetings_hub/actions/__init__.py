"""Actions: check (may this actor do it, is the input valid), do (one transaction), notify."""
