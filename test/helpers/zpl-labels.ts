/** A ^GFA graphic field decoded: 1 = black dot, one byte per dot. */
export interface DecodedGraphic {
  x: number;
  y: number;
  width: number;
  height: number;
  dots: Uint8Array;
}

/** A ^FO…^A0N…^FD…^FS text field. */
export interface DecodedTextField {
  x: number;
  y: number;
  height: number;
  width: number;
  /** ^FB justification (L when no ^FB). */
  justify: string;
  text: string;
}

/** A ^FO…^BY…^B?…^FD…^FS barcode or ^BQ QR code field: the command (`^BC`, `^BQ`, …) and its data. */
export interface DecodedCode {
  x: number;
  y: number;
  command: string;
  data: string;
}

export interface DecodedLabel {
  /** ^PW and ^LL. */
  width: number;
  length: number;
  copies: number;
  graphics: DecodedGraphic[];
  texts: DecodedTextField[];
  codes: DecodedCode[];
  /** ^GB boxes (underline, invert). */
  boxes: number;
}

/**
 * Reads the labels (^XA … ^XZ) of a ZPL stream the way a printer would for the commands the
 * gateway sends: ^PW, ^LL, ^PQ, ^FO origins, ^GFA ASCII hex graphics, ^A0N text with ^FB justification
 * and ^FH_ escapes, ^GB boxes, barcodes (^BY + ^B…) and QR codes (^BQ).
 */
export function decodeZplLabels(zpl: string): DecodedLabel[] {
  const labels: DecodedLabel[] = [];
  for (const [, body] of zpl.matchAll(/\^XA(.*?)\^XZ/gs)) {
    const label: DecodedLabel = {
      width: Number(/\^PW(\d+)/.exec(body!)?.[1] ?? NaN),
      length: Number(/\^LL(\d+)/.exec(body!)?.[1] ?? NaN),
      copies: Number(/\^PQ(\d+)/.exec(body!)?.[1] ?? 1),
      graphics: [],
      texts: [],
      codes: [],
      boxes: 0,
    };
    for (const field of body!.matchAll(/\^FO(\d+),(\d+)(.*?)\^FS/gs)) {
      const x = Number(field[1]);
      const y = Number(field[2]);
      const rest = field[3]!;
      const graphic = /^\^GFA,(\d+),(\d+),(\d+),([0-9A-F]*)$/.exec(rest);
      if (graphic) {
        const bytesPerRow = Number(graphic[3]);
        const bytes = Buffer.from(graphic[4]!, 'hex');
        if (bytes.length !== Number(graphic[1])) throw new Error(`^GFA says ${graphic[1]} bytes, holds ${bytes.length}`);
        const width = bytesPerRow * 8;
        const height = bytes.length / bytesPerRow;
        const dots = new Uint8Array(width * height);
        for (let i = 0; i < dots.length; i++) dots[i] = (bytes[i >> 3]! >> (7 - (i & 7))) & 1;
        label.graphics.push({ x, y, width, height, dots });
        continue;
      }
      const unescape = (escaped: string | undefined, data: string): string =>
        escaped ? data.replace(/_([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))) : data;
      if (/^\^GB\d+,\d+,\d+,[BW],\d$/.test(rest)) {
        label.boxes += 1;
        continue;
      }
      const code = /^(?:\^BY\d+,[\d.]+,\d+)?(\^B[A-Z0-9])[^^]*(\^FH_)?\^FD(.*)$/s.exec(rest);
      if (code) {
        label.codes.push({ x, y, command: code[1]!, data: unescape(code[2], code[3]!) });
        continue;
      }
      const text = /^\^A0N,(\d+),(\d+)(?:\^FB\d+,\d+,\d+,([LCRJ]))?(?:\^FR)?(\^FH_)?\^FD(.*)$/s.exec(rest);
      if (!text) throw new Error(`field not understood: ${rest.slice(0, 60)}`);
      label.texts.push({ x, y, height: Number(text[1]), width: Number(text[2]), justify: text[3] ?? 'L', text: unescape(text[4], text[5]!) });
    }
    labels.push(label);
  }
  return labels;
}
