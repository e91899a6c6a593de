// Wire protocol of browser mode: the renderer's Api over one loopback WebSocket (JSON text frames).
// Electron uses IPC instead, with the same method names and the same zod argument checks.
import { z } from 'zod';

export const RpcRequest = z.object({
  id: z.number().int().nonnegative(),
  method: z.string().min(1).max(40),
  args: z.array(z.unknown()).max(4),
}).strict();
export type RpcRequest = z.infer<typeof RpcRequest>;

/** Server -> client: the answer to request `id`, or events pushed by a running job (progress: a ProgressEvent[] batch, oldest first). */
export type RpcMessage =
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; error: string }
  | { event: 'progress'; jobId: string; data: unknown }
  | { event: 'job'; jobId: string; data: unknown };

/** BigInt never crosses the wire: the Api carries timestamps as ISO text and counts as numbers. */
export function encode(msg: RpcMessage | RpcRequest): string {
  return JSON.stringify(msg);
}
