// The counter code page: a print button (the page prints cleanly without it, through the browser's
// own menu; print styles are in portal.css).
(() => {
  const print = document.querySelector('button.print');
  if (print && window.print) {
    print.hidden = false;
    print.addEventListener('click', () => window.print());
  }
})();
