import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeEscPos, decodeStar, eventsOf, printedLines, type ReceiptEvent } from '../helpers/receipt-decoder.js';
import { startTestGateway, type TestGateway } from '../helpers/test-gateway.js';
import { waitFor } from '../helpers/wait-for.js';
import { startTcpSink, type TcpSink } from '../peers/tcp-sink.js';
import { makePng } from '../unit/render/document-fixtures.js';

let gateway: TestGateway;
let key: string;
const sinks: Record<'counter' | 'mini' | 'star' | 'labels', TcpSink> = {} as never;

beforeAll(async () => {
  for (const name of ['counter', 'mini', 'star', 'labels'] as const) sinks[name] = await startTcpSink();
  gateway = await startTestGateway({
    printers: [
      { name: 'Counter', group: 'cafe', appId: 'counter01', uri: sinks.counter.uri, language: 'escpos', profile: 'generic-80mm' },
      { name: 'Mini', group: 'cafe', appId: 'mini01', uri: sinks.mini.uri, language: 'escpos', profile: 'generic-58mm' },
      { name: 'Bar', group: 'cafe', appId: 'bar01', uri: sinks.star.uri, language: 'starprnt', profile: 'star-tsp143-starprnt' },
      { name: 'Labels', group: 'cafe', appId: 'labels01', uri: sinks.labels.uri, language: 'zpl', profile: 'zebra-203dpi' },
    ],
  });
  key = gateway.createKey(['PrintToDevice', 'ViewJobs']).key;
});

afterAll(async () => {
  await gateway?.stop();
  await Promise.all(Object.values(sinks).map((sink) => sink.close()));
});

// 40 × 10 dots, the left quarter black: at width 50% of 576 dots it prints 288 × 72, columns 0-71 black.
const LOGO = makePng(40, 10, (x) => x < 10).toString('base64');

const RECEIPT = `<!DOCTYPE html>
<html><head><title>Receipt 42</title><style>body { font-family: monospace }</style></head>
<body>
  <h1 style="text-align: center">Caf&eacute; Bar</h1>
  <div align="center"><img src="data:image/png;base64,${LOGO}" width="50%" alt="logo"></div>
  <p>Main   Street 1<br>Town</p>
  <hr>
  <table>
    <tr><td>Coffee</td><td>3,50 &euro;</td></tr>
    <tr><td>2x</td><td>Croissant</td><td>4,20 &euro;</td></tr>
  </table>
  <hr>
  <table><tr><th>TOTAL</th><th>7,70&nbsp;&euro;</th></tr></table>
  <p style="text-align:right"><i>Thank you</i> &amp; <blink>bye</blink></p>
  <!-- printed by printgate -->
  <script>window.print()</script>
</body></html>`;

async function print(appId: string, body: string, contentType = 'text/html'): Promise<Response> {
  return fetch(`${gateway.url}/v1/a/cafe/d/${appId}/q`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': contentType },
    body,
  });
}

async function printAndReceive(appId: string, sink: TcpSink, body: string): Promise<{ jobId: string; bytes: Buffer }> {
  const before = sink.jobs().length;
  const answer = await print(appId, body);
  expect(answer.status, await answer.clone().text()).toBe(201);
  const { JobId } = (await answer.json()) as { JobId: string };
  const jobs = await sink.waitForJobs(before + 1);
  return { jobId: JobId, bytes: jobs[before]! };
}

async function job(jobId: string): Promise<{ state: string; contentType: string; warnings: string[] }> {
  return waitFor(`job ${jobId} completed`, async () => {
    const answer = await fetch(`${gateway.url}/api/v1/jobs/${jobId}`, { headers: { authorization: `Bearer ${key}` } });
    const body = (await answer.json()) as { state: string; contentType: string; warnings: string[] };
    return body.state === 'completed' ? body : null;
  });
}

/** Bold and size in force where `text` is printed. */
function stateAt(events: ReceiptEvent[], text: string): { bold?: boolean; size?: string } {
  const at = events.findIndex((event) => event.type === 'text' && Buffer.from(event.bytes).toString('latin1').includes(text));
  expect(at, `text "${text}" printed`).toBeGreaterThanOrEqual(0);
  const state: { bold?: boolean; size?: string } = {};
  for (const event of events.slice(0, at)) {
    if (event.type === 'bold') state.bold = event.on;
    if (event.type === 'size') state.size = `${event.width}x${event.height}`;
  }
  return state;
}

describe('printing text/html to receipt printers', () => {
  it('prints an HTML receipt on ESC/POS at 80 mm: centred bold heading, aligned columns, €, the logo raster', async () => {
    const { jobId, bytes } = await printAndReceive('counter01', sinks.counter, RECEIPT);
    const events = decodeEscPos(bytes);
    const lines = printedLines(events);

    // Heading: bold, 2×2, centred (the encoder pads the line: 16 spaces + 8 double-width characters + 16); é in CP437 is 0x82.
    expect(lines).toContain(`${' '.repeat(16)}Caf\\x82 Bar`);
    expect(stateAt(events, 'Bar')).toEqual({ bold: true, size: '2x2' });
    // The address after it: flush left, plain, normal size, whitespace collapsed.
    expect(lines).toContain('Main Street 1');
    expect(stateAt(events, 'Main Street 1')).toEqual({ bold: false, size: '1x1' });
    expect(lines).toContain('Town');

    // Table rows: first cells flush left, the amount flush right at 48 characters; € is 0xD5 in CP858 (ESC t 19).
    const coffee = lines.find((line) => line.startsWith('Coffee'))!;
    expect(coffee).toBe(`Coffee${' '.repeat(48 - 6 - 6)}3,50 \\xd5`);
    const croissant = lines.find((line) => line.startsWith('2x Croissant'))!;
    expect(croissant.length - 3).toBe(48);
    expect(croissant.endsWith(' 4,20 \\xd5')).toBe(true);
    const total = lines.find((line) => line.startsWith('TOTAL'))!;
    expect(total).toBe(`TOTAL${' '.repeat(48 - 5 - 6)}7,70 \\xd5`);
    expect(stateAt(events, 'TOTAL').bold).toBe(true);
    const euro = events.findIndex((event) => event.type === 'text' && event.bytes.includes(0xd5));
    expect(events.slice(0, euro).filter((event) => event.type === 'codepage').at(-1)).toEqual({ type: 'codepage', page: 19 });
    expect(lines.filter((line) => line === '-'.repeat(48))).toHaveLength(2);

    // Right-aligned closing line, italics printed plain, unknown tag's content kept; no script, comment or title.
    expect(lines).toContain(`${' '.repeat(48 - 15)}Thank you & bye`);
    expect(lines.join('\n')).not.toMatch(/window\.print|printed by|Receipt 42|font-family/);

    // The logo: 288 × 72 dots centred on the 576-dot line, its left quarter (72 dots) black.
    const [raster] = eventsOf(events, 'raster');
    expect(raster).toMatchObject({ width: 576, height: 72 });
    const row = raster!.rows[36]!;
    const black = (x: number): boolean => ((row[x >> 3]! >> (7 - (x & 7))) & 1) === 1;
    expect(black(143)).toBe(false);
    expect(black(144)).toBe(true);
    expect(black(215)).toBe(true);
    expect(black(216)).toBe(false);
    expect(eventsOf(events, 'cut')).toHaveLength(1);

    const done = await job(jobId);
    expect(done.contentType).toBe('text/html');
    expect(done.warnings).toEqual([
      'html: <i> and <em> printed plain: receipt printers have no italics',
      'html: <blink> is not supported; its content was printed',
    ]);
  });

  it('lays the same receipt out at the 58 mm printer\'s 32 characters', async () => {
    const { bytes } = await printAndReceive('mini01', sinks.mini, RECEIPT);
    const lines = printedLines(decodeEscPos(bytes));
    expect(lines).toContain(`Coffee${' '.repeat(32 - 6 - 6)}3,50 \\xd5`);
    expect(lines).toContain('-'.repeat(32));
    // 50% of 384 dots.
    expect(eventsOf(decodeEscPos(bytes), 'raster')[0]).toMatchObject({ width: 384, height: 48 });
  });

  it('prints HTML on StarPRNT: centred 2×2 bold heading and the column lines', async () => {
    const { bytes } = await printAndReceive('bar01', sinks.star, RECEIPT);
    const events = decodeStar(bytes);
    const lines = printedLines(events);
    expect(stateAt(events, 'Bar')).toEqual({ bold: true, size: '2x2' });
    const heading = lines.find((line) => line.includes('Bar'))!;
    const columns = lines.find((line) => line === '-'.repeat(line.length) && line.length > 0)!.length;
    expect(columns).toBeGreaterThanOrEqual(32);
    // Centred: as much room left of the double-width heading as right of it.
    const indent = heading.length - heading.trimStart().length;
    expect(Math.abs(columns - 2 * indent - 2 * 8)).toBeLessThanOrEqual(1);
    const coffee = lines.find((line) => line.startsWith('Coffee'))!;
    expect(coffee).toMatch(/^Coffee +3,50 \\x[0-9a-f]{2}$/);
    expect(coffee.length - 3).toBe(columns);
  });

  it('previews an HTML job as a PNG at the printer\'s width', async () => {
    const { jobId } = await printAndReceive('counter01', sinks.counter, RECEIPT);
    const answer = await fetch(`${gateway.url}/api/v1/jobs/${jobId}/preview.png`, { headers: { authorization: `Bearer ${key}` } });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('image/png');
    const png = PNG.sync.read(Buffer.from(await answer.arrayBuffer()));
    expect(png.width).toBe(576);
    // Ink on the page: the heading, logo, text and rules make it far taller than one line.
    let inkRows = 0;
    for (let y = 0; y < png.height; y++) {
      for (let x = 0; x < png.width; x++) {
        if (png.data[(y * png.width + x) * 4] === 0) {
          inkRows += 1;
          break;
        }
      }
    }
    expect(inkRows).toBeGreaterThan(72 + 48);
  });

  it('a ZPL label printer answers 415 for text/html, listing the types it accepts', async () => {
    const answer = await print('labels01', '<p>label</p>');
    expect(answer.status).toBe(415);
    const body = (await answer.json()) as { error: { code: string; message: string; details: { accepted: string[] } } };
    expect(body.error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect(body.error.message).toContain('application/vnd.zebra.zpl');
    expect(body.error.message).toContain('text/plain');
    expect(body.error.details.accepted).not.toContain('text/html');
    expect(body.error.details.accepted).toContain('image/png');
    expect(sinks.labels.jobs()).toHaveLength(0);
  });
});
