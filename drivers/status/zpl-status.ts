import type { StatusQuery, StatusReading } from '../../src/driver-api/index.js';

/**
 * ZPL host status, `~HS`: the printer answers with three strings, each <STX>…<ETX><CR><LF>, of
 * comma-separated fields. Layout per Zebra's ZPL II Programming Guide, "~HS Host Status Return"
 * (docs.zebra.com/us/en/printers/software/zpl-pg/zpl-commands/~hs4.html):
 *
 * - string 1 `aaa,b,c,dddd,eee,f,g,h,iii,j,k,l`: b paper out, c pause, k under temperature, l over temperature
 * - string 2 `mmm,n,o,p,q,r,s,t,uuuuuuuu,v,www`: o head up (open), p ribbon out
 * - string 3 `xxxx,y`: password, static RAM
 *
 * Zebra notes that some printers do not answer at all while media or ribbon is out, the head is
 * open or too hot: no answer is then reported as "not confirmed", never as healthy.
 */
const STX = 0x02;
const ETX = 0x03;
const STRINGS = 3;

function strings(reply: Uint8Array): string[] {
  const found: string[] = [];
  let start = -1;
  for (let i = 0; i < reply.length; i += 1) {
    if (reply[i] === STX) start = i + 1;
    else if (reply[i] === ETX && start >= 0) {
      found.push(Buffer.from(reply.subarray(start, i)).toString('latin1'));
      start = -1;
    }
  }
  return found;
}

export function parseZplStatus(reply: Uint8Array): StatusReading {
  const found = strings(reply);
  if (found.length < STRINGS) {
    // Bytes that cannot start a host status (no STX first) are not one.
    const first = reply.findIndex((byte) => byte !== 0x0d && byte !== 0x0a);
    return first >= 0 && reply[first] !== STX ? { complete: true, reasons: [], unrecognised: true } : { complete: false, reasons: [] };
  }
  const one = found[0]!.split(',').map((field) => field.trim());
  const two = found[1]!.split(',').map((field) => field.trim());
  if (one.length < 12 || two.length < 4) return { complete: true, reasons: [], unrecognised: true };
  const reasons: string[] = [];
  if (one[1] === '1') reasons.push('media-empty');
  if (two[2] === '1') reasons.push('cover-open');
  if (two[3] === '1') reasons.push('marker-supply-empty');
  if (one[11] === '1') reasons.push('over-temperature');
  if (one[10] === '1') reasons.push('under-temperature');
  if (one[2] === '1') reasons.push('paused');
  return { complete: true, reasons };
}

export const zplStatusQuery: StatusQuery = {
  name: 'zpl-hs',
  request: Uint8Array.from(Buffer.from('~HS', 'latin1')),
  parse: parseZplStatus,
};
