/**
 * How many times a repeated property runs. `npm test` runs each at a size that
 * shows it; `npm run test:stress` (FIC_STRESS=1) at full size, with the
 * cross-process storms of test-stress/.
 */
export const STRESS = process.env.FIC_STRESS === '1';

export function scaled(normal: number, stress: number): number {
  return STRESS ? stress : normal;
}
