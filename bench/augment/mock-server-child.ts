// The mock OpenAI-compatible server of bench 4b in its own process, as a real server would be: its HTTP
// work then does not share the scorer's event loop. Answers every call after argv[2] ms; on the message
// 'stats' it replies with what it saw and exits.
import { MockOpenAIServer } from '../../test/providers/mock-openai-server.js';

const latencyMs = Number(process.argv[2]);
const mock = await MockOpenAIServer.start(() => ({ stallMs: latencyMs }));
process.send?.({ url: mock.url });
process.on('message', async () => {
  const stats = { calls: mock.answered('/chat/completions').length, maxInFlight: mock.maxInFlight };
  await mock.close();
  process.send?.(stats, () => process.exit(0));
});
