// Types for the one seedrandom generator sim/ loads directly (the package's types cover only its barrel).
declare module 'seedrandom/lib/alea.js' {
  import type { PRNG } from 'seedrandom';
  const alea: (seed?: string) => PRNG;
  export default alea;
}
