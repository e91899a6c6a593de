// Files that are no data (a program, an image, a licence text renamed .csv) are refused by name,
// by the app's inspection and by a build alike; a JSONL capture is seen as one, with the data
// types its messages feed (issue 15, item 2).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { copyFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { inspectFiles } from '../../../engine/preview.js';
import { build, tempDir } from '../../helpers.js';

/** A PNG whose pixel data is incompressible: few NUL bytes, as a photo has (the NUL check alone lets it through). */
function png(): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    return Buffer.concat([len, Buffer.from(type), data, Buffer.alloc(4, 7)]);
  };
  const ihdr = Buffer.from([0, 0, 0, 64, 0, 0, 0, 64, 8, 2, 0, 0, 0]);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(randomBytes(12000), { level: 0 })), chunk('IEND', Buffer.alloc(0))]);
}

const LICENCE = `MIT License

Copyright (c) 2024 Someone

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:
`;

/** Random bytes with no NUL: binary data the NUL count cannot tell from text. */
function noisy(): Buffer {
  const b = randomBytes(8000);
  for (let i = 0; i < b.length; i++) if (b[i] === 0) b[i] = 1;
  return b;
}

async function junk(dir: string): Promise<Record<string, string>> {
  const files = { png: join(dir, 'chart.csv'), licence: join(dir, 'LICENSE.csv'), noise: join(dir, 'noise.csv'), elf: join(dir, 'program.csv'), apache: join(dir, 'NOTICE.csv') };
  // A first line with a comma is two "columns"; the lines after it are prose, not rows.
  await writeFile(files.apache, 'Apache License, Version 2.0\n\nTERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION\n\n1. Definitions.\n\n"License" shall mean the terms and conditions for use, reproduction,\nand distribution as defined by Sections 1 through 9 of this document.\n"Licensor" shall mean the copyright owner or entity authorized by\nthe copyright owner that is granting the License.\n');
  await writeFile(files.png, png());
  await writeFile(files.licence, LICENCE);
  await writeFile(files.noise, noisy());
  await copyFile(process.execPath, files.elf).catch(async () => writeFile(files.elf, Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]), noisy()])));
  return files;
}

test('a PNG, a program, random bytes or a licence text named .csv is refused by inspectFiles, saying what it is', async (t) => {
  const dir = await tempDir(t);
  const f = await junk(dir);
  const infos = await inspectFiles([f.png!, f.licence!, f.noise!, f.elf!, f.apache!]);
  const [pngInfo, licence, noise, elf, apache] = infos;
  for (const i of infos) assert.deepEqual(i.feeds, [], `${i.name} feeds nothing`);
  assert.match(pngInfo!.error ?? '', /not text: it is a PNG image/);
  assert.match(licence!.error ?? '', /not a table/);
  assert.match(noise!.error ?? '', /not text/);
  assert.match(elf!.error ?? '', /not text/);
  assert.match(apache!.error ?? '', /not a table: most of its first lines are a single column/);
});

test('a build (as the CLI runs it) refuses the same files, naming each', async (t) => {
  const dir = await tempDir(t);
  const f = await junk(dir);
  for (const path of [f.png!, f.licence!]) {
    const report = await build(dir, { trades: { file_path: path } }).catch((e: Error) => ({ thrown: e.message }));
    const text = JSON.stringify(report);
    assert.ok(text.includes(path.split('/').pop()!), `names the file: ${text.slice(0, 400)}`);
    assert.match(text, /not text|not a table/);
    if (!('thrown' in report)) assert.equal(report.ok, false);
  }
});

test('a JSONL capture is a WebSocket capture feeding what its messages hold; depth updates feed deltas with their snapshot', async (t) => {
  const dir = await tempDir(t);
  const mark = join(dir, 'capture.csv');
  await writeFile(mark, [
    '{"e":"markPriceUpdate","E":1704067200000,"s":"BTCUSDT","p":"42000.10","i":"42001.00","P":"42000.5","r":"0.00010000","T":1704096000000}',
    '{"stream":"btcusdt@markPrice","data":{"e":"markPriceUpdate","E":1704067201000,"s":"BTCUSDT","p":"42000.20","i":"42001.00","P":"42000.5","r":"0.00010000","T":1704096000000}}',
  ].join('\n') + '\n');
  const book = join(dir, 'depth.jsonl');
  await writeFile(book, '{"e":"depthUpdate","E":1704067200000,"s":"BTCUSDT","U":1,"u":2,"b":[["42000.0","1.0"]],"a":[]}\n');
  const [m, b] = await inspectFiles([mark, book]);
  assert.equal(m!.source, 'websocket');
  assert.deepEqual(m!.feeds, ['mark', 'funding']);
  assert.match(m!.label, /WebSocket capture/);
  assert.equal(m!.error, undefined);
  assert.deepEqual(b!.feeds, ['deltas']);
  assert.match(b!.note ?? '', /order book diffs.*snapshot_path/);
});
