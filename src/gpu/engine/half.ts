/** binary16 conversions live in the core (the engine's reference and the compression code share them). */
export { decodeHalves, fromHalfBits, roundHalf, toHalfBits } from '../../core/train/half';
