// What a sign-up must contain, checked the same way whether it comes from the page, the JSON API, a
// CSV row or a queue message.

export interface SignupInput {
  name: string;
  email: string;
}

export type Checked = { ok: true; value: SignupInput } | { ok: false; errors: Record<string, string> };

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function checkSignup(input: unknown): Checked {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { ok: false, errors: { body: 'expected an object with name and email' } };
  }
  const { name, email } = input as Record<string, unknown>;
  const errors: Record<string, string> = {};
  const cleanName = typeof name === 'string' ? name.trim().replace(/\s+/g, ' ') : '';
  const cleanEmail = typeof email === 'string' ? email.trim() : '';
  if (cleanName.length === 0) errors.name = 'name is required';
  else if (cleanName.length > 100) errors.name = 'name must be at most 100 characters';
  if (cleanEmail.length === 0) errors.email = 'email is required';
  else if (cleanEmail.length > 254 || !EMAIL.test(cleanEmail)) errors.email = 'email is not a valid address';
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return { ok: true, value: { name: cleanName, email: cleanEmail } };
}
