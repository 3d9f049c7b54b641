/**
 * The GPU failed a run, in words for the user: the device was lost, a kernel hit a GPU error, a
 * result could not be read back, or no backend could start here. Not a mistake in the
 * configuration (that is a ConfigError) nor in the data (a DataError).
 */
export class GpuError extends Error {
  override readonly name = 'GpuError';
}
