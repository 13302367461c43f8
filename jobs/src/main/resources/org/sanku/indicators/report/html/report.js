// Draws every chart of a Sanku report from the page's JSON island. Each chart box names its options
// (data-chart="..."); charts use the SVG renderer without animation, so a drawing is complete, sharp in print and
// readable in the DOM. A chart that has drawn gets data-drawn="true" (one that could not, data-drawn="failed" and a
// console error, and the others still draw); when every chart is done, the body gets data-charts-drawn="<drawn>",
// the marker a browser test (or a printing script) waits for.
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('sanku-data').textContent);
  var boxes = Array.prototype.slice.call(document.querySelectorAll('[data-chart]'));
  var left = boxes.length;
  var drawnCount = 0;

  function done(box, ok) {
    box.setAttribute('data-drawn', ok ? 'true' : 'failed');
    drawnCount += ok ? 1 : 0;
    left -= 1;
    if (left === 0) {
      document.body.setAttribute('data-charts-drawn', String(drawnCount));
    }
  }

  if (left === 0) {
    document.body.setAttribute('data-charts-drawn', '0');
  }
  boxes.forEach(function (box) {
    var name = box.getAttribute('data-chart');
    try {
      var option = data.charts[name];
      if (!option) {
        throw new Error('no data for chart ' + name);
      }
      var chart = echarts.init(box, null, { renderer: 'svg' });
      var finished = false;
      chart.on('finished', function () {
        if (!finished) {
          finished = true;
          done(box, true);
        }
      });
      chart.setOption(option);
    } catch (e) {
      console.error('sanku report: chart ' + name + ' could not be drawn: ' + e);
      done(box, false);
    }
  });
})();
