// The counter console's progressive parts, one static file (the CSP forbids inline scripts). Every
// page works without it: a USB scanner types the code into the focused field and presses Enter.
(() => {
  // Sessions end after 15 idle minutes; two minutes before, say so.
  const idle = document.getElementById('idle-warning');
  if (idle)
    setTimeout(
      () => {
        idle.hidden = false;
      },
      13 * 60 * 1000,
    );

  const form = document.getElementById('scan-form');
  const input = document.getElementById('code');
  if (!form || !input) return;

  // A scanner types wherever the focus is: bring it back to the code field when nothing else holds it.
  document.addEventListener('keydown', (event) => {
    const target = event.target;
    const typing = target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement || target instanceof HTMLButtonElement;
    if (!typing && !input.disabled && event.key.length === 1 && !event.ctrlKey && !event.metaKey && !event.altKey) input.focus();
  });

  // The camera, where the browser can read barcodes itself (BarcodeDetector).
  const button = document.getElementById('camera');
  const video = document.getElementById('camera-view');
  const help = document.getElementById('camera-help');
  const failed = document.getElementById('camera-failed');
  if (!button || !video || !('BarcodeDetector' in window) || !navigator.mediaDevices?.getUserMedia || input.disabled) return;
  button.hidden = false;
  let stream;
  let timer;
  const stop = () => {
    clearInterval(timer);
    for (const track of stream?.getTracks() ?? []) track.stop();
    stream = undefined;
    video.hidden = true;
    help.hidden = true;
    button.textContent = button.dataset.start;
  };
  button.addEventListener('click', async () => {
    if (stream) return stop();
    failed.hidden = true;
    try {
      const formats = await window.BarcodeDetector.getSupportedFormats();
      const detector = new window.BarcodeDetector({ formats: ['qr_code', 'code_128'].filter((f) => formats.includes(f)) });
      stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' }, audio: false });
      video.srcObject = stream;
      video.hidden = false;
      help.hidden = false;
      button.textContent = button.dataset.stop;
      await video.play();
      timer = setInterval(async () => {
        try {
          const found = await detector.detect(video);
          const code = found.map((b) => b.rawValue).find((v) => /^[0-9A-Za-z -]{8,12}$/.test(v));
          if (code) {
            stop();
            input.value = code;
            form.submit();
          }
        } catch {
          // a frame the detector could not read; the next one may do
        }
      }, 250);
    } catch {
      stop();
      failed.hidden = false;
    }
  });
})();
