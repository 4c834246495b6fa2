// The error every patch function throws. `status` is the HTTP status the API server answers with,
// as upstream's patch handler maps it: 400 for a malformed patch document, 422 for a patch that is
// well-formed but cannot be applied (a failed json-patch `test`, a missing path, a merge-key conflict).
export class PatchError extends Error {
  readonly status: 400 | 422;
  constructor(status: 400 | 422, message: string) {
    super(message);
    this.name = 'PatchError';
    this.status = status;
  }
}

export const badPatch = (message: string) => new PatchError(400, message);
export const unprocessablePatch = (message: string) => new PatchError(422, message);
