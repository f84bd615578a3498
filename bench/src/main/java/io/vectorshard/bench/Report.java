package io.vectorshard.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Plain-text output: section headings, aligned tables, and the final list of targets. */
final class Report {
  /** One target checked at the end: what was measured, its value, the target, met or not. */
  record Target(String figure, String value, String target, boolean met) {}

  private final PrintStream out;
  private final List<Target> targets = new ArrayList<>();

  Report(PrintStream out) {
    this.out = out;
  }

  void heading(String title) {
    out.println();
    out.println("== " + title + " " + "=".repeat(Math.max(3, 96 - title.length())));
  }

  void line(String text) {
    out.println(text);
  }

  void line(String format, Object... args) {
    out.println(String.format(Locale.ROOT, format, args));
  }

  void blank() {
    out.println();
  }

  Target target(String figure, String value, String target, boolean met) {
    Target t = new Target(figure, value, target, met);
    targets.add(t);
    return t;
  }

  List<Target> targets() {
    return targets;
  }

  static String met(boolean met) {
    return met ? "yes" : "NO";
  }

  static String ms(double millis) {
    return String.format(Locale.ROOT, "%.3f", millis);
  }

  static String num(double value, int decimals) {
    return String.format(Locale.ROOT, "%,." + decimals + "f", value);
  }

  static String ratio(double value) {
    return String.format(Locale.ROOT, "%.2fx", value);
  }

  /** A table whose first column is left-aligned text and the others right-aligned. */
  static final class Table {
    private final List<String> headers;
    private final List<List<String>> rows = new ArrayList<>();

    Table(String... headers) {
      this.headers = List.of(headers);
    }

    Table row(Object... cells) {
      List<String> row = new ArrayList<>();
      for (Object c : cells) {
        row.add(String.valueOf(c));
      }
      while (row.size() < headers.size()) {
        row.add("");
      }
      rows.add(row);
      return this;
    }

    void print(Report report) {
      int[] width = new int[headers.size()];
      for (int i = 0; i < width.length; i++) {
        width[i] = headers.get(i).length();
        for (List<String> row : rows) {
          width[i] = Math.max(width[i], row.get(i).length());
        }
      }
      report.out.println(format(headers, width));
      StringBuilder rule = new StringBuilder();
      for (int i = 0; i < width.length; i++) {
        rule.append(i == 0 ? "" : "  ").append("-".repeat(width[i]));
      }
      report.out.println(rule);
      for (List<String> row : rows) {
        report.out.println(format(row, width));
      }
    }

    private static String format(List<String> cells, int[] width) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < width.length; i++) {
        String cell = cells.get(i);
        if (i == 0) {
          line.append(cell).append(" ".repeat(width[i] - cell.length()));
        } else {
          line.append("  ").append(" ".repeat(width[i] - cell.length())).append(cell);
        }
      }
      return line.toString().stripTrailing();
    }
  }
}
