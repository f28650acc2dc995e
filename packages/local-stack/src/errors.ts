export class LocalStackError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'LocalStackError';
    this.code = code;
  }
}

export class PortInUseError extends LocalStackError {
  readonly port: number;
  constructor(service: string, port: number, flag: string) {
    super(
      'PORT_IN_USE',
      `port ${port} for ${service} is already in use on 127.0.0.1 (another \`pnpm stack\`?); stop it or pick another port with ${flag}`,
    );
    this.name = 'PortInUseError';
    this.port = port;
  }
}

export class EmulatorStartError extends LocalStackError {
  constructor(service: string, detail: string) {
    super('EMULATOR_START_FAILED', `${service} did not start: ${detail}`);
    this.name = 'EmulatorStartError';
  }
}
