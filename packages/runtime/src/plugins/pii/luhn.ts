/** The Luhn checksum every payment card number satisfies. */

/** True when `digits` (only 0-9) passes the Luhn check. */
export function luhnCheck(digits: string): boolean {
  if (!/^\d+$/.test(digits)) return false;
  const values: number[] = [];
  for (let i = 0; i < digits.length; i++) values.push(digits.charCodeAt(i) - 48);
  return luhnDigits(values, 0, values.length);
}

/** The Luhn check of `digits[start..end)` (each 0-9): no string is built per candidate run. */
export function luhnDigits(digits: readonly number[], start: number, end: number): boolean {
  let sum = 0;
  let double = false;
  for (let i = end - 1; i >= start; i--) {
    let d = digits[i]!;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}
