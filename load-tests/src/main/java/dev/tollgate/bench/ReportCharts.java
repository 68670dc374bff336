package dev.tollgate.bench;

import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryLabelPositions;
import org.jfree.chart.axis.LogarithmicAxis;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The PNG charts of {@code load-tests/REPORT.md}, drawn from the tab-separated files {@code report.sh} writes:
 * <ul>
 *   <li>{@code throughput.tsv}: target, req/s (median over rounds) → {@code throughput.png};
 *   <li>{@code latency.tsv}: target, rate, calls, errors, p50, p90, p99, p99.9, max (ms) → {@code latency-RATE.png}
 *       per rate, log scale;
 *   <li>{@code sse.tsv}: target, streams, connected, with first event, none, all-in ms, p50, p99, RSS before,
 *       RSS peak (MB), KB per stream → {@code sse-rss.png} (peak RSS per stream count, one line per target).
 * </ul>
 * Usage: {@code java -Djava.awt.headless=true -cp benchmarks.jar dev.tollgate.bench.ReportCharts DIR}; a missing file
 * is skipped, so the charts of a partial report are still drawn.
 */
public final class ReportCharts {

    private static final int WIDTH = 900, HEIGHT = 500;

    private ReportCharts() {
    }

    public static void main(String[] args) throws IOException {
        System.setProperty("java.awt.headless", "true");
        Path dir = Path.of(args.length > 0 ? args[0] : "load-tests/report");
        throughput(dir);
        latency(dir);
        sseRss(dir);
    }

    private static List<String[]> rows(Path file) throws IOException {
        if (!Files.exists(file)) {
            return List.of();
        }
        return Files.readAllLines(file).stream().filter(l -> !l.isBlank() && !l.startsWith("#")).map(l -> l.split("\t")).toList();
    }

    private static void throughput(Path dir) throws IOException {
        List<String[]> rows = rows(dir.resolve("throughput.tsv"));
        if (rows.isEmpty()) {
            return;
        }
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        for (String[] r : rows) {
            data.addValue(Double.parseDouble(r[1]), "req/s", r[0]);
        }
        JFreeChart chart = ChartFactory.createBarChart("Throughput per configuration (wrk, median over rounds)", "configuration",
                "requests/s", data, PlotOrientation.VERTICAL, false, false, false);
        chart.getCategoryPlot().getDomainAxis().setCategoryLabelPositions(CategoryLabelPositions.UP_45);
        save(chart, dir.resolve("throughput.png"));
    }

    private static void latency(Path dir) throws IOException {
        List<String[]> rows = rows(dir.resolve("latency.tsv"));
        String[] percentiles = {"p50", "p90", "p99", "p99.9", "max"};
        for (String rate : rows.stream().map(r -> r[1]).distinct().toList()) {
            DefaultCategoryDataset data = new DefaultCategoryDataset();
            for (String[] r : rows) {
                if (!r[1].equals(rate)) {
                    continue;
                }
                for (int p = 0; p < percentiles.length; p++) {
                    // A log axis cannot show 0; a sub-microsecond figure is below what the client resolves anyway.
                    data.addValue(Math.max(0.001, Double.parseDouble(r[4 + p])), percentiles[p], r[0]);
                }
            }
            JFreeChart chart = ChartFactory.createBarChart("Latency at " + rate + " calls/s (open loop, from the intended send time)",
                    "configuration", "ms (log scale)", data, PlotOrientation.VERTICAL, true, false, false);
            // Bars grow from 0, which a log axis cannot show: start them at 1 µs instead.
            BarRenderer renderer = (BarRenderer) chart.getCategoryPlot().getRenderer();
            renderer.setBase(0.001);
            renderer.setIncludeBaseInRange(false);
            LogarithmicAxis axis = new LogarithmicAxis("ms (log scale)");
            axis.setStrictValuesFlag(false);
            chart.getCategoryPlot().setRangeAxis(axis);
            save(chart, dir.resolve("latency-" + rate + ".png"));
        }
    }

    private static void sseRss(Path dir) throws IOException {
        List<String[]> rows = rows(dir.resolve("sse.tsv"));
        if (rows.isEmpty()) {
            return;
        }
        XYSeriesCollection data = new XYSeriesCollection();
        for (String target : rows.stream().map(r -> r[0]).distinct().toList()) {
            XYSeries series = new XYSeries(target + " RSS at peak (MB)");
            for (String[] r : rows) {
                if (r[0].equals(target) && !r[9].equals("NaN")) {
                    series.add(Double.parseDouble(r[1]), Double.parseDouble(r[9]));
                }
            }
            if (!series.isEmpty()) {
                data.addSeries(series);
            }
        }
        JFreeChart chart = ChartFactory.createXYLineChart("Resident memory by concurrent SSE streams", "streams", "RSS (MB)", data,
                PlotOrientation.VERTICAL, true, false, false);
        save(chart, dir.resolve("sse-rss.png"));
    }

    private static void save(JFreeChart chart, Path file) throws IOException {
        ChartUtils.saveChartAsPNG(file.toFile(), chart, WIDTH, HEIGHT);
        System.out.println("wrote " + file);
    }
}
