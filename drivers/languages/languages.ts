import type { Language } from '../../src/driver-api/index.js';
import { escposLanguage } from './escpos-language.js';
import { pdfLanguage } from './pdf-language.js';
import { rawLanguage } from './raw-language.js';
import { starlineLanguage } from './starline-language.js';
import { starprntLanguage } from './starprnt-language.js';
import { zplLanguage } from './zpl-language.js';

/** Every language printgate ships: the gateway's LanguageRegistry and the render pool's threads use this list. */
export const LANGUAGES: readonly Language[] = [rawLanguage, escposLanguage, starprntLanguage, starlineLanguage, zplLanguage, pdfLanguage];
