// Errors thrown by an agency's own code may quote the subject; logs get them with the subject cut out.

export interface LoggedError {
  name: string;
  message: string;
  stack?: string;
  code?: string;
}

export function redactError(error: unknown, subject: string | undefined): LoggedError {
  const pattern = subject ? new RegExp(escapeRegExp(subject.trim()), 'gi') : undefined;
  const cut = (text: string): string => (pattern ? text.replace(pattern, '[subject]') : text);
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return {
      name: error.name,
      message: cut(error.message),
      ...(error.stack ? { stack: cut(error.stack) } : {}),
      ...(typeof code === 'string' ? { code } : {}),
    };
  }
  return { name: 'NonError', message: cut(String(error)) };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
