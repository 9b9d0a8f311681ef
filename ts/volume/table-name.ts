/**
 * Table names become directory names (`volumes/<table>/`) only after validation. stoolap
 * uses the lower-cased name verbatim (spec §11 item 15); we lower-case the same way
 * (full Unicode, `toLowerCase`, which like Rust's `to_lowercase` applies final sigma) and
 * refuse, with ERR_INVALID_NAME, anything that is not a single safe path component on
 * Linux, macOS and Windows:
 *
 * 1. empty, `.` or `..`;
 * 2. path separators `/` and `\`, NUL, control characters (U+0000–U+001F, U+007F–U+009F);
 * 3. characters Windows forbids in names: `< > : " | ? *`;
 * 4. a trailing dot or space (Windows strips them);
 * 5. Windows device names (CON, PRN, AUX, NUL, COM0–9, LPT0–9, also with an extension);
 * 6. more than 255 UTF-8 bytes after lower-casing.
 */
import { PermafrostError } from '../errors';

const FORBIDDEN_PUNCTUATION = new Set(['/', '\\', '<', '>', ':', '"', '|', '?', '*']);

/** The first forbidden character: a separator, a Windows-reserved one, or a control character. */
function forbiddenCharacter(name: string): string | undefined {
  for (const char of name) {
    const code = char.codePointAt(0)!;
    if (FORBIDDEN_PUNCTUATION.has(char) || code <= 0x1f || (code >= 0x7f && code <= 0x9f)) return char;
  }
  return undefined;
}
const DEVICE = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?$/u;
export const TABLE_NAME_BYTES_MAX = 255;

function refuse(name: string, reason: string): PermafrostError {
  return new PermafrostError('ERR_INVALID_NAME', `table name ${JSON.stringify(name)} is not allowed: ${reason}`);
}

/** The directory name of a table (lower case), or ERR_INVALID_NAME. */
export function tableDirectoryName(tableName: string): string {
  if (typeof tableName !== 'string') throw refuse(String(tableName), 'it is not a string');
  if (!tableName.isWellFormed()) throw refuse(tableName, 'it contains a lone UTF-16 surrogate');
  const lower = tableName.toLowerCase();
  if (lower.length === 0) throw refuse(tableName, 'it is empty');
  if (lower === '.' || lower === '..') throw refuse(tableName, 'it names a relative directory');
  const bad = forbiddenCharacter(lower);
  if (bad !== undefined) throw refuse(tableName, `it contains ${JSON.stringify(bad)}`);
  if (/[. ]$/u.test(lower)) throw refuse(tableName, 'it ends with a dot or a space');
  if (DEVICE.test(lower)) throw refuse(tableName, 'it is a reserved Windows device name');
  const bytes = Buffer.byteLength(lower, 'utf8');
  if (bytes > TABLE_NAME_BYTES_MAX) throw refuse(tableName, `it is ${bytes} UTF-8 bytes long; the limit is ${TABLE_NAME_BYTES_MAX}`);
  return lower;
}
