import { describe, expect, it } from 'vitest';
import { findProfile, PROFILES } from '../../../drivers/profiles/find-profile.js';
import { LANGUAGES } from '../../../drivers/index.js';
import { printableDots } from '../../../drivers/render/bitmap.js';
import { labelColumns, labelMetrics } from '../../../drivers/render/label-text.js';

describe('printer profiles', () => {
  it('covers the families printgate ships', () => {
    expect(PROFILES.map((p) => p.id)).toEqual([
      'generic-58mm', 'generic-80mm', 'epson-tm-t20', 'epson-tm-t88', 'epson-tm-m30',
      'star-tsp100-starprnt', 'star-tsp100-line', 'star-tsp143-starprnt', 'star-tsp143-line', 'star-mcprint3-starprnt', 'star-mcprint3-line',
      'zebra-203dpi', 'zebra-300dpi',
    ]);
  });

  it('label profiles state the columns a text label really fits (a test page ruler does not wrap)', () => {
    for (const profile of PROFILES.filter((p) => p.language === 'zpl')) {
      const fits = labelColumns(labelMetrics(profile.dotsPerMM, printableDots(profile)));
      expect({ id: profile.id, columns: profile.columns, fontBColumns: profile.fontBColumns }).toEqual({ id: profile.id, ...fits });
    }
  });

  it('finds profiles by id, case-insensitively, and nothing for unknown ids', () => {
    expect(findProfile('Epson-TM-T20')?.name).toBe('Epson TM-T20');
    expect(findProfile('nope')).toBeUndefined();
  });

  it('are consistent: a shipped language, columns that fit the width, unique ids, frozen', () => {
    const languages = new Set(LANGUAGES.map((l) => l.name));
    expect(new Set(PROFILES.map((p) => p.id)).size).toBe(PROFILES.length);
    for (const profile of PROFILES) {
      expect(languages.has(profile.language!), profile.id).toBe(true);
      expect(profile.printableWidthMM).toBeLessThanOrEqual(profile.paperWidthMM);
      if (profile.language !== 'zpl') expect(profile.columns * 12, profile.id).toBeLessThanOrEqual(printableDots(profile));
      expect(Object.isFrozen(profile)).toBe(true);
    }
  });
});
