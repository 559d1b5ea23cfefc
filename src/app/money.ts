import { type RawBuilder, sql } from 'kysely';

/**
 * Money is an exact decimal with 8 places: PostgreSQL numeric(18, 8), SQLite
 * TEXT like '12.50000000'. In JavaScript it is a string (never a float), and
 * arithmetic is done on bigint "units" of 1e-8.
 */
export const MONEY_SCALE = 8;
const UNITS_PER_WHOLE = 10n ** BigInt(MONEY_SCALE);

/** What the API accepts: up to 10 integer digits (numeric(18, 8)) and up to 8 decimals, no sign. */
export const DECIMAL_INPUT_PATTERN = '^(0|[1-9][0-9]{0,9})(\\.[0-9]{1,8})?$';

export class InvalidDecimalError extends Error {
  override readonly name = 'InvalidDecimalError';
  constructor(readonly value: string) {
    super(`"${value}" is not an exact decimal with at most ${MONEY_SCALE} places`);
  }
}

/** '12.5' → 1250000000n. Accepts what the API and both databases produce. */
export function decimalToUnits(text: string): bigint {
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text.trim());
  if (!match) throw new InvalidDecimalError(text);
  const [, sign, whole = '0', fraction = ''] = match;
  if (fraction.length > MONEY_SCALE && /[1-9]/.test(fraction.slice(MONEY_SCALE))) {
    throw new InvalidDecimalError(text);
  }
  const units =
    BigInt(whole) * UNITS_PER_WHOLE + BigInt(fraction.slice(0, MONEY_SCALE).padEnd(MONEY_SCALE, '0'));
  return sign === '-' ? -units : units;
}

/** 1250000000n → '12.50000000': the one spelling both dialects return. */
export function unitsToDecimal(units: bigint): string {
  const negative = units < 0n;
  const abs = negative ? -units : units;
  const whole = abs / UNITS_PER_WHOLE;
  const fraction = (abs % UNITS_PER_WHOLE).toString().padStart(MONEY_SCALE, '0');
  return `${negative ? '-' : ''}${whole}.${fraction}`;
}

/** Any accepted spelling ('7.5', '7.50000000', a numeric from pg) → '7.50000000'. */
export function canonicalDecimal(text: string | number): string {
  return unitsToDecimal(decimalToUnits(String(text)));
}

/**
 * SUM of a money column as integer units, exact on both dialects, as text (a
 * JavaScript number would lose precision past 2^53 units, about $90M).
 * SQLite: the TEXT is always `digits.8digits` (a CHECK enforces it), so dropping
 * the point gives the units as an integer, and SQLite sums integers exactly.
 */
export function sumMoneyUnits(dialect: 'sqlite' | 'postgres', column: string): RawBuilder<string> {
  return dialect === 'postgres'
    ? sql<string>`(coalesce(sum(${sql.ref(column)}), 0) * ${sql.lit(Number(UNITS_PER_WHOLE))})::numeric(38, 0)::text`
    : sql<string>`cast(coalesce(sum(cast(replace(${sql.ref(column)}, '.', '') as integer)), 0) as text)`;
}
