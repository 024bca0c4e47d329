// Entry for every page of a signed-in person that has no chat connection of its own: one
// connection that only follows the unread counts (menu badge, tab title, chime, notification).
import { Connection } from "./room/connection.js";
import { trackUnread } from "./unread.js";

trackUnread(new Connection());
