/** The training configuration's error; it lives in core/errors.ts so that core/data may throw it too. */
export { ConfigError, shown } from '../errors';
