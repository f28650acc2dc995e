const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const ZERO = 48;

/** The decimal number in text[at, at + length), or NaN if any of it is not a digit. */
function digits(text: string, at: number, length: number): number {
  let value = 0;
  for (let i = at; i < at + length; i++) {
    const digit = text.charCodeAt(i) - ZERO;
    if (digit < 0 || digit > 9) return Number.NaN;
    value = value * 10 + digit;
  }
  return value;
}

/** True when text has the separators of `YYYY-MM-DDTHH:MM:SS.sssZ`. */
function isCanonical(text: string): boolean {
  return (
    text.length === 24 &&
    text.charCodeAt(4) === 45 && // -
    text.charCodeAt(7) === 45 &&
    text.charCodeAt(10) === 84 && // T
    text.charCodeAt(13) === 58 && // :
    text.charCodeAt(16) === 58 &&
    text.charCodeAt(19) === 46 && // .
    text.charCodeAt(23) === 90 // Z
  );
}

/**
 * Milliseconds since the epoch of an ISO-8601 date-time, or NaN. The form this project
 * writes, `YYYY-MM-DDTHH:MM:SS.sssZ`, is read digit by digit (with every field checked
 * for range, so 2026-02-30 is refused); any other form goes to Date.parse.
 */
export function parseTimestamp(text: string): number {
  if (!isCanonical(text)) return Date.parse(text);
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 2);
  const day = digits(text, 8, 2);
  const hour = digits(text, 11, 2);
  const minute = digits(text, 14, 2);
  const second = digits(text, 17, 2);
  const millisecond = digits(text, 20, 3);
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const monthDays = (DAYS_IN_MONTH[month - 1] ?? 0) + (month === 2 && leap ? 1 : 0);
  const valid =
    day >= 1 && day <= monthDays && hour <= 23 && minute <= 59 && second <= 59 && !Number.isNaN(millisecond + year);
  return valid ? Date.UTC(year, month - 1, day, hour, minute, second, millisecond) : Number.NaN;
}
