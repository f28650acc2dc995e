/** Base of the dashboard's own errors; `code` is stable, the message is one line for people. */
export class DashboardError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'DashboardError';
    this.code = code;
  }
}
