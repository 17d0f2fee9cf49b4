// Notifications in the page (local mode): the same EventBridge events the webhook gets,
// polled from /local/notifications, newest first; each one also refreshes its camera's tile.
import { localNotifications } from './api-client.js';

const POLL_MS = 2000;
const KEEP = 30;

/** One line for a notification, e.g. "10:31:02 cam-2 Camera Event Started: motion". */
export function notificationText(envelope) {
  const d = envelope.detail;
  const time = new Date(envelope.time).toLocaleTimeString();
  const what = d.type ? `: ${d.type}${d.endReason ? ` (${Math.round(d.durationMs / 1000)} s)` : ''}` : '';
  return `${time} ${d.deviceId} ${envelope['detail-type']}${what}`;
}

export class NotificationsView {
  constructor(list, onNotification) {
    this.list = list;
    this.onNotification = onNotification;
    this.after = 0;
    this.items = [];
  }

  start() {
    const tick = async () => {
      try {
        const { notifications, last } = await localNotifications(this.after);
        this.after = last;
        for (const n of notifications) this.show(n.envelope);
      } catch {
        // the page outlives a restarting stack
      }
      this.timer = setTimeout(tick, POLL_MS);
    };
    void tick();
  }

  show(envelope) {
    this.items.push(envelope);
    const li = document.createElement('li');
    li.textContent = notificationText(envelope);
    li.dataset.type = envelope['detail-type'];
    li.dataset.camera = envelope.detail.deviceId;
    this.list.prepend(li);
    while (this.list.children.length > KEEP) this.list.lastElementChild.remove();
    this.onNotification?.(envelope);
  }
}
