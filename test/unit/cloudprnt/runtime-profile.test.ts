import { describe, expect, it } from 'vitest';
import { findProfile } from '../../../drivers/index.js';
import { blankDeviceInfo } from '../../../src/cloudprnt/cloudprnt-store.js';
import { runtimeLanguage, runtimeProfile } from '../../../src/cloudprnt/runtime-profile.js';

const info = blankDeviceInfo('00:11:62:1d:9a:b7', 'cafe');

describe('auto-created CloudPRNT printers', () => {
  it('speak StarPRNT unless they accept Star Line only', () => {
    expect(runtimeLanguage(info)).toBe('starprnt');
    expect(runtimeLanguage({ ...info, encodings: ['application/vnd.star.starprnt', 'application/vnd.star.line'] })).toBe('starprnt');
    expect(runtimeLanguage({ ...info, encodings: ['text/plain', 'application/vnd.star.line'] })).toBe('starline');
  });

  it('print at the width PageInfo reported, named by their ClientType; an 80 mm Star family otherwise', () => {
    expect(runtimeProfile(info, 'starprnt', findProfile)).toMatchObject({ id: 'star-mcprint3-starprnt', paperWidthMM: 80, printableWidthMM: 72, dotsPerMM: 8, columns: 48 });
    const narrow = runtimeProfile({ ...info, clientType: 'Star mC-Print2', paperWidthMM: 58, printWidthMM: 48, dotsPerMM: 8 }, 'starprnt', findProfile);
    expect(narrow).toMatchObject({ name: 'Star mC-Print2', paperWidthMM: 58, printableWidthMM: 48, columns: 32, buzzer: true });
    expect(runtimeProfile(info, 'starline', findProfile).id).toBe('star-mcprint3-line');
  });
});
