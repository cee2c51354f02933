/** An endless server-sent event stream: one event every 100 ms until the client leaves. */
export function GET() {
  let timer;
  const encoder = new TextEncoder();
  const body = new ReadableStream({
    start(controller) {
      let n = 0;
      timer = setInterval(() => controller.enqueue(encoder.encode(`data: ${n++}\n\n`)), 100);
    },
    cancel() {
      clearInterval(timer);
    },
  });
  return new Response(body, { headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' } });
}
