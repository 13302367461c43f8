// Draws every chart of a Sanku report from the page's JSON island. Each chart box names its options
// (data-chart="..."); charts use the SVG renderer without animation, so a drawing is complete, sharp in print and
// readable in the DOM. When a chart has drawn, its box gets data-drawn="true"; when all have, the body gets
// data-charts-drawn="<count>", the marker a browser test (or a printing script) waits for.
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('sanku-data').textContent);
  var boxes = Array.prototype.slice.call(document.querySelectorAll('[data-chart]'));
  var left = boxes.length;

  function drawn(box) {
    box.setAttribute('data-drawn', 'true');
    left -= 1;
    if (left === 0) {
      document.body.setAttribute('data-charts-drawn', String(boxes.length));
    }
  }

  if (left === 0) {
    document.body.setAttribute('data-charts-drawn', '0');
  }
  boxes.forEach(function (box) {
    var name = box.getAttribute('data-chart');
    var option = data.charts[name];
    if (!option) {
      throw new Error('sanku report: no data for chart ' + name);
    }
    var chart = echarts.init(box, null, { renderer: 'svg' });
    var done = false;
    chart.on('finished', function () {
      if (!done) {
        done = true;
        drawn(box);
      }
    });
    chart.setOption(option);
  });
})();
