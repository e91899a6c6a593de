// Builds zip archives for tests (yazl), members in the order given.
import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import yazl from 'yazl';

export async function zipOf(path: string, members: [string, string | Buffer][]): Promise<void> {
  const zip = new yazl.ZipFile();
  for (const [name, body] of members) zip.addBuffer(Buffer.from(body), name);
  zip.end();
  await pipeline(zip.outputStream, createWriteStream(path));
}
