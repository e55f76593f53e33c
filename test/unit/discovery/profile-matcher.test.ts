import { describe, expect, it } from 'vitest';
import { PROFILES } from '../../../drivers/profiles/find-profile.js';
import { parseIeee1284Id } from '../../../src/discovery/ieee1284-id.js';
import { matchProfile, type MatchFacts } from '../../../src/discovery/profile-matcher.js';

const facts = (partial: Partial<MatchFacts>): MatchFacts => ({ names: [], languages: [], resolutionsDpi: [], ...partial });

describe('profiles chosen by data (drivers/profiles match lists)', () => {
  it('USB VID:PID with a matching IEEE 1284 id picks the family and says why', () => {
    const match = matchProfile(
      facts({
        usb: { vendorId: '04b8', productId: '0202' },
        ieee1284: parseIeee1284Id('MFG:EPSON;CMD:ESC/POS;MDL:TM-T88V;CLS:PRINTER;'),
        names: [{ from: 'IEEE 1284 MDL', value: 'TM-T88V' }],
      }),
      PROFILES,
    );
    expect(match.profile).toBe('epson-tm-t88');
    expect(match.by.map((entry) => entry.by)).toEqual(['USB 04b8:0202', 'IEEE 1284 MFG:EPSON;CMD:ESC/POS;MDL:TM-T88', 'IEEE 1284 MDL "TM-T88V"']);
  });

  it('TXT ty / usb_MDL names pick a family for a network printer', () => {
    expect(matchProfile(facts({ names: [{ from: 'TXT ty', value: 'EPSON TM-m30' }] }), PROFILES).profile).toBe('epson-tm-m30');
    expect(matchProfile(facts({ names: [{ from: 'TXT usb_MDL', value: 'ZTC ZD410-203dpi ZPL' }], languages: ['zpl'] }), PROFILES).profile).toBe('zebra-203dpi');
  });

  it('a USB id shared by many models does not override the model the device names', () => {
    const other = matchProfile(
      facts({ usb: { vendorId: '04b8', productId: '0202' }, ieee1284: parseIeee1284Id('MFG:EPSON;CMD:ESC/POS;MDL:TM-U220;'), names: [{ from: 'IEEE 1284 MDL', value: 'TM-U220' }] }),
      PROFILES,
    );
    expect(other).toEqual({ profile: 'unknown', candidates: [], by: [] });
  });

  it('equally good profiles are reported as candidates, never guessed; the language can break the tie', () => {
    const star = facts({
      usb: { vendorId: '0519', productId: '0003' },
      ieee1284: parseIeee1284Id('MFG:STAR;MDL:TSP143IIIU;CMD:STAR;CLS:PRINTER;'),
      names: [{ from: 'IEEE 1284 MDL', value: 'TSP143IIIU' }],
    });
    expect(matchProfile(star, PROFILES)).toMatchObject({ profile: 'unknown', candidates: ['star-tsp143-starprnt', 'star-tsp143-line'] });
    expect(matchProfile({ ...star, languages: ['starprnt'] }, PROFILES).profile).toBe('star-tsp143-starprnt');
  });

  it('a vendor id alone is not enough, and an office printer matches nothing', () => {
    expect(matchProfile(facts({ usb: { vendorId: '0a5f', productId: '0123' } }), PROFILES).profile).toBe('unknown');
    expect(matchProfile(facts({ names: [{ from: 'IPP printer-make-and-model', value: 'Acme Office 500' }], languages: ['pdf'] }), PROFILES).profile).toBe('unknown');
  });

  it('never picks a profile whose language the device does not take', () => {
    expect(matchProfile(facts({ names: [{ from: 'TXT ty', value: 'EPSON TM-T88V' }], languages: ['pdf'] }), PROFILES).profile).toBe('unknown');
  });
});
