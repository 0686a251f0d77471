/** A door's translated request → the router's request (the core request model plus the model id). */
import type { ModelRequest } from '../../core/index.ts';
import type { ChatRequest } from '../../core/index.ts';

export function toRouterRequest(model: string, r: Omit<ModelRequest, 'signal'>, signal: AbortSignal): ChatRequest {
  return { ...r, model, signal };
}
