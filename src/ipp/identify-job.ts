/**
 * Identify-Printer's "sound" as the printer's own bytes: one beep of its buzzer, sent as a raw job
 * in its language (so it waits its turn in the queue, as every byte to the printer does). ESC/POS
 * `ESC B n t` (buzzer models), Star `ESC GS BEL m t1 t2` (the same bytes encode-receipt writes for
 * Star-Pre-Buzzer). Languages without a buzzer command have no entry: the printer cannot identify.
 */
const BEEP: Readonly<Record<string, readonly number[]>> = {
  escpos: [0x1b, 0x42, 0x01, 0x02],
  starprnt: [0x1b, 0x1d, 0x07, 0x01, 0x0a, 0x0a],
  starline: [0x1b, 0x1d, 0x07, 0x01, 0x0a, 0x0a],
};

export function identifyBytes(language: string): Buffer | null {
  const bytes = BEEP[language];
  return bytes ? Buffer.from(bytes) : null;
}
