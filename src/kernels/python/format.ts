/**
 * Python's number formatting where HMA's answers depend on it (vPDQ timestamps, lookup
 * percentages), so that rasd's bytes equal HMA's.
 */

/**
 * Python's `f"{x:.3}"`: 3 significant digits, scientific from 100 up, at least one decimal.
 * @example pythonFloat3(1) // "1.0"; pythonFloat3(123.4) // "1.23e+02"
 */
export function pythonFloat3(x: number): string {
  if (x === 0) return "0.0";
  const [mantissa = "", exponent = "0"] = x.toExponential(2).split("e");
  const exp = Number(exponent);
  const trim = (s: string) => (s.includes(".") ? s.replace(/0+$/, "").replace(/\.$/, "") : s);
  if (exp < -4 || exp >= 2) return `${trim(mantissa)}e${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
  const fixed = trim(x.toFixed(2 - exp));
  return fixed.includes(".") ? fixed : `${fixed}.0`;
}

/**
 * Python's `f"{x:.0f}"` (ties to even).
 * @example pythonRound0(2.5) // "2"
 */
export function pythonRound0(x: number): string {
  let r = Math.round(x);
  if (Math.abs(x % 1) === 0.5 && r % 2 !== 0) r -= 1;
  return String(r);
}
