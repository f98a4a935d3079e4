"""The throughput/latency curve: bench/cluster.py at offered loads from 250/s up past
saturation, one fresh cluster per load.  Prints JSON and draws docs/throughput_latency.png
(committed payments/s and p50/p99 latency against the offered rate) with Qt, offscreen.

    python bench/curve.py [--rates 250,500,750,1000,1250,1500] [--seconds 15]
    python bench/curve.py --replot earlier-output.json   (redraw only)
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run(rate: int, seconds: int) -> dict[str, object]:
    out = subprocess.run([sys.executable, str(ROOT / "bench" / "cluster.py"), "--rate",
                          str(rate), "--seconds", str(seconds)], capture_output=True,
                         text=True, check=True, cwd=ROOT)
    return dict(json.loads(out.stdout))


def plot(points: list[dict[str, object]], path: Path) -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCharts import QChart, QChartView, QLineSeries, QLogValueAxis, QValueAxis
    from PySide6.QtCore import QPointF, Qt
    from PySide6.QtGui import QPainter
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    chart = QChart()
    chart.setTitle("4 validators, 2 cores: committed payments/s and latency vs offered load")
    committed, p50, p99 = QLineSeries(), QLineSeries(), QLineSeries()
    committed.setName("committed payments/s (left axis)")
    p50.setName("p50 latency (ms, right axis)")
    p99.setName("p99 latency (ms, right axis)")
    for p in points:
        x = float(p["offered_per_s"])  # type: ignore[arg-type]
        lat = p["latency_ms"]
        committed.append(QPointF(x, float(p["committed_per_s"])))  # type: ignore[arg-type]
        p50.append(QPointF(x, max(1.0, float(lat["p50"]))))  # type: ignore[index]
        p99.append(QPointF(x, max(1.0, float(lat["p99"]))))  # type: ignore[index]
    for s in (committed, p50, p99):
        s.setPointsVisible(True)  # the measured loads, not only the lines between them
        chart.addSeries(s)
    for s in (p50, p99):  # dashed: read against the right-hand axis
        pen = s.pen()
        pen.setStyle(Qt.PenStyle.DashLine)
        pen.setWidth(2)
        s.setPen(pen)
    x_axis = QValueAxis()
    x_axis.setTitleText("offered payments/s")
    x_axis.setLabelFormat("%d")
    chart.addAxis(x_axis, Qt.AlignmentFlag.AlignBottom)
    y_rate = QValueAxis()
    y_rate.setTitleText("committed/s")
    y_rate.setLabelFormat("%d")
    chart.addAxis(y_rate, Qt.AlignmentFlag.AlignLeft)
    y_lat = QLogValueAxis()
    y_lat.setTitleText("latency ms (log)")
    y_lat.setLabelFormat("%g")
    y_lat.setRange(1, 10_000)
    chart.addAxis(y_lat, Qt.AlignmentFlag.AlignRight)
    committed.attachAxis(x_axis)
    committed.attachAxis(y_rate)
    for s in (p50, p99):
        s.attachAxis(x_axis)
        s.attachAxis(y_lat)
    top = max(float(p["offered_per_s"]) for p in points)  # type: ignore[arg-type]
    step = 250 if top <= 2_500 else 500
    end = step * (int(top // step) + 1)  # round figures on both rate axes
    for axis in (x_axis, y_rate):
        axis.setRange(0, end)
        axis.setTickType(QValueAxis.TickType.TicksDynamic)
        axis.setTickAnchor(0)
        axis.setTickInterval(step)
    view = QChartView(chart)
    view.setRenderHint(QPainter.RenderHint.Antialiasing)
    view.resize(1000, 600)
    view.grab().save(str(path))
    del app


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rates", default="250,500,750,1000,1250,1500")
    ap.add_argument("--seconds", type=int, default=15)
    ap.add_argument("--png", default=str(ROOT / "docs" / "throughput_latency.png"))
    ap.add_argument("--replot", metavar="JSON",
                    help="draw the PNG from this script's earlier output instead of running")
    args = ap.parse_args()
    if args.replot:
        points = json.loads(Path(args.replot).read_text())
    else:
        points = [run(int(r), args.seconds) for r in args.rates.split(",")]
    plot(points, Path(args.png))
    print(json.dumps([{k: p[k] for k in ("offered_per_s", "committed_per_s", "latency_ms",
                                          "results", "views")} for p in points], indent=1))


if __name__ == "__main__":
    main()
