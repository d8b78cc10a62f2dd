/** The slice of a logger the engine uses; Powertools' Logger fits it, and so does a silent one in tests. */
export type LogFields = Record<string, unknown>;

export interface Log {
  debug(message: string, ...extra: LogFields[]): void;
  info(message: string, ...extra: LogFields[]): void;
  warn(message: string, ...extra: LogFields[]): void;
  error(message: string, ...extra: LogFields[]): void;
}

export const silentLog: Log = { debug() {}, info() {}, warn() {}, error() {} };
