export async function coordinate(..._a: unknown[]): Promise<number> { throw new Error('todo'); }
export async function queueStatus(..._a: unknown[]): Promise<number> { throw new Error('todo'); }
export async function runWorker(..._a: unknown[]): Promise<number> { throw new Error('todo'); }
