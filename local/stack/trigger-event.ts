/**
 * Starts an event on a camera through its agent's control endpoint
 * (`POST {controlUrl}/v1/events {type, durationSeconds}`), answering what the page and
 * `camrec event` show.
 */
export async function triggerCameraEvent(
  controlUrl: string | undefined,
  cameraId: string,
  req: { type?: unknown; seconds?: unknown },
): Promise<{ status: number; body: unknown }> {
  if (!controlUrl) return { status: 404, body: { error: { code: 'unknown_camera', message: `no running camera ${cameraId} in this local stack` } } };
  if (typeof req.type !== 'string') return { status: 400, body: { error: { code: 'bad_body', message: 'type must be a string such as "motion"' } } };
  const body: Record<string, unknown> = { type: req.type };
  if (req.seconds !== undefined) {
    if (typeof req.seconds !== 'number' || !(req.seconds > 0))
      return { status: 400, body: { error: { code: 'bad_body', message: 'seconds must be a positive number' } } };
    body.durationSeconds = req.seconds;
  }
  try {
    const res = await fetch(`${controlUrl}/v1/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.status, body: await res.json().catch(() => ({})) };
  } catch (err) {
    return {
      status: 502,
      body: { error: { code: 'agent_unreachable', message: `camera ${cameraId}'s agent did not answer at ${controlUrl}: ${(err as Error).message}` } },
    };
  }
}
