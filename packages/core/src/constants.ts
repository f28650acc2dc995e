/** Where the embedded stack listens by default (`pnpm stack`). */
export const LOCAL_KINESIS_PORT = 4568;
export const LOCAL_DYNAMODB_PORT = 4570;
export const LOCAL_HOST = '127.0.0.1';
/** Where `pnpm dashboard` (and the one `pnpm demo` starts) serves its page by default. */
export const DASHBOARD_PORT = 4600;
