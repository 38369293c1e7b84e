// Typed errors. A UserError is a mistake in the project or the command: it carries where
// (file:line), what, and how to fix it, and the CLI exits 2. Anything else thrown is a bug.

export type UserErrorCode =
  | 'CONFIG_NOT_FOUND'
  | 'CONFIG_INVALID'
  | 'TEMPLATE_SYNTAX'
  | 'TEMPLATE_RENDER'
  | 'REF_NOT_FOUND'
  | 'SOURCE_NOT_FOUND'
  | 'CYCLE'
  | 'DUPLICATE_NODE'
  | 'MODEL_CONFIG'
  | 'MODEL_SQL'
  | 'PROPERTIES'
  | 'SEED_CSV'
  | 'SECRET_IN_TEMPLATE'
  | 'SELECTION'
  | 'BAD_ARGUMENT'
  | 'TARGET_IN_USE'
  | 'CONNECTION'
  /** A query reads a model or seed that is not built yet. */
  | 'NOT_BUILT'
  /** A read-only query (sf show) failed in the engine: exit 1, as a failed node. */
  | 'QUERY_FAILED';

export interface Location {
  readonly file: string;
  readonly line?: number | undefined;
}

export class UserError extends Error {
  override readonly name = 'UserError';
  readonly code: UserErrorCode;
  readonly location: Location | undefined;
  readonly hint: string | undefined;

  constructor(
    code: UserErrorCode,
    message: string,
    opts: { location?: Location | undefined; hint?: string | undefined; cause?: unknown } = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.code = code;
    this.location = opts.location;
    this.hint = opts.hint;
  }

  /** `models/a.sql:3: ref('x') ... \n  hint: ...` */
  format(): string {
    const where = this.location
      ? `${this.location.file}${this.location.line ? `:${this.location.line}` : ''}: `
      : '';
    return `${where}${this.message}${this.hint ? `\n  hint: ${this.hint}` : ''}`;
  }
}

/** Several user errors found in one pass (all templates, all seeds), reported together. */
export class UserErrors extends Error {
  override readonly name = 'UserErrors';
  readonly errors: readonly UserError[];

  constructor(errors: readonly UserError[]) {
    super(errors.map((e) => e.format()).join('\n'));
    this.errors = errors;
  }

  static throwIfAny(errors: readonly UserError[]): void {
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1) throw new UserErrors(errors);
  }
}

export function isUserError(err: unknown): err is UserError | UserErrors {
  return err instanceof UserError || err instanceof UserErrors;
}

/** The UserErrors in `err` (one, several, or none when it is not a user error). */
export function userErrorsOf(err: unknown): readonly UserError[] {
  return err instanceof UserErrors ? err.errors : err instanceof UserError ? [err] : [];
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
