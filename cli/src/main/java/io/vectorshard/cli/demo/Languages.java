package io.vectorshard.cli.demo;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Guesses which of the 21 Europarl languages a passage is written in. The Europarl line file mixes
 * all of them and says nothing about the language, and the demo's embedding model only understands
 * English, so {@link Corpus} needs to tell them apart.
 *
 * <p>Greek and Bulgarian are told by their script. The 19 Latin-script languages are scored by the
 * share of the first {@value #MAX_WORDS} words that are among the language's most frequent function
 * words; the best score wins if it reaches {@value #MIN_SCORE}, otherwise the answer is
 * {@value #UNKNOWN}. On parliamentary prose of a few hundred characters this is reliable for
 * English, which is all the demo relies on.
 */
final class Languages {
  /** ISO 639-1 codes of the Europarl languages. */
  static final List<String> EUROPARL = List.of("bg", "cs", "da", "de", "el", "en", "es", "et", "fi",
      "fr", "hu", "it", "lt", "lv", "nl", "pl", "pt", "ro", "sk", "sl", "sv");
  static final String UNKNOWN = "und";
  static final int MAX_WORDS = 150;
  /** Only this many characters of a text are looked at. */
  static final int MAX_CHARS = 1200;
  static final double MIN_SCORE = 0.12;

  private static final Map<String, Set<String>> FUNCTION_WORDS = functionWords();
  /** The languages in {@link #FUNCTION_WORDS} order, and for each word a bit per language it is in. */
  private static final List<String> SCORED = List.copyOf(FUNCTION_WORDS.keySet());
  private static final Map<String, Integer> LANGUAGES_OF_WORD = invert();

  private Languages() {}

  /** The ISO 639-1 code of the language of {@code text}, or {@value #UNKNOWN}. */
  static String guess(String text) {
    int limit = Math.min(text.length(), MAX_CHARS);
    int greek = 0;
    int cyrillic = 0;
    int letters = 0;
    int[] hits = new int[SCORED.size()];
    int words = 0;
    StringBuilder word = new StringBuilder(32);
    for (int i = 0; i <= limit && words < MAX_WORDS; i++) {
      char c = i < limit ? text.charAt(i) : ' ';
      if (Character.isLetter(c)) {
        letters++;
        if (c >= '\u0370' && c <= '\u03FF' || c >= '\u1F00' && c <= '\u1FFF') {
          greek++;
        } else if (c >= '\u0400' && c <= '\u04FF') {
          cyrillic++;
        }
        word.append(Character.toLowerCase(c));
      } else if (!word.isEmpty()) {
        words++;
        Integer languages = LANGUAGES_OF_WORD.get(word.toString());
        if (languages != null) {
          for (int bits = languages; bits != 0; bits &= bits - 1) {
            hits[Integer.numberOfTrailingZeros(bits)]++;
          }
        }
        word.setLength(0);
      }
    }
    if (letters == 0) {
      return UNKNOWN;
    }
    if (greek * 2 > letters) {
      return "el";
    }
    if (cyrillic * 2 > letters) {
      return "bg";
    }
    int best = -1;
    for (int i = 0; i < hits.length; i++) { // fixed order: ties go to the earlier language
      if (hits[i] > 0 && (best < 0 || hits[i] > hits[best])) {
        best = i;
      }
    }
    return best >= 0 && (double) hits[best] / words >= MIN_SCORE ? SCORED.get(best) : UNKNOWN;
  }

  private static Map<String, Integer> invert() {
    Map<String, Integer> languagesOfWord = new HashMap<>();
    for (int i = 0; i < SCORED.size(); i++) {
      for (String word : FUNCTION_WORDS.get(SCORED.get(i))) {
        languagesOfWord.merge(word, 1 << i, (a, b) -> a | b);
      }
    }
    return Map.copyOf(languagesOfWord);
  }

  private static Map<String, Set<String>> functionWords() {
    Map<String, Set<String>> words = new LinkedHashMap<>();
    words.put("en", words("the of and to in is that we this for are it be not have which on with as"
        + " will has by would our should there been also from an these they must its their at was"));
    words.put("de", words("der die und das ist nicht wir zu den ich es von mit auf für sich dem auch"
        + " eine ein werden im wird sie daß dass des sind haben aber einer diese noch nur oder"));
    words.put("fr", words("le la les et des est que nous pour une dans il du qui pas un au ce sur"
        + " je cette sont aux ne plus mais avec être ces leur été aussi vous"));
    words.put("es", words("el la los que y en las por una es del se con para un lo no al su como"
        + " esta este más pero también ha sus son muy estos sobre"));
    words.put("it", words("il di che per non della sono una gli del un è dei delle nel alla si con"
        + " anche questo ci ha più questa essere nella degli dal sia"));
    words.put("pt", words("o que os em uma para não do da dos das um é no na com por mais também"
        + " ao às como esta este foi pela pelo muito são"));
    words.put("nl", words("de het van een en is dat we niet voor op zijn die wij te met ook ik aan"
        + " worden er door om maar deze dit moet hebben wordt kan"));
    words.put("sv", words("och att det som är för en på inte med jag vi av den till har om ett de"
        + " också detta kan men vara från skall ska måste eller"));
    words.put("da", words("og at det er til en af på ikke med for vi der de den har som om et jeg"
        + " kan også men skal være fra dette denne eller"));
    words.put("fi", words("ja on että ei se myös ovat tämä mutta kuin ole tai joka sen olla jotka"
        + " mitä sekä tässä kanssa niin vain meidän voi tämän siitä nyt"));
    words.put("et", words("ja on et ei see ka ning mis kui ma oma aga seda nii meie selle või ta ole"
        + " mida peab tuleb kes need siis väga veel"));
    words.put("hu", words("a az és hogy nem is egy ez meg van kell de csak mint már ezt azt amely"
        + " még vagy hanem volt lesz ami el"));
    words.put("pl", words("i w na z się nie że do to jest jak o co są oraz przez dla tym tak ale"
        + " które jednak również czy tego być jego"));
    words.put("cs", words("a v se na je že to z o do i s by jsou také jako ale aby pro k které tak"
        + " tím má bylo této však být jsme"));
    words.put("sk", words("a v sa na je že to z o do aj s by sú tiež ako ale aby pre k ktoré tak"
        + " má bolo tejto však byť sme"));
    words.put("sl", words("in je da se na v za ki so pa ne bi z tudi o ter kot to smo s pri ali po"
        + " lahko bo mora zato tega"));
    words.put("lt", words("ir kad yra į su tai o bet kaip taip iš jo dėl turi nuo būti mes ar tik"
        + " šio apie kurie šią labai kuri"));
    words.put("lv", words("un ir ka par uz no ar kas arī lai ko mēs bet tas šo to tā vai būtu"
        + " tikai kā jo nav kuru šajā savu"));
    words.put("ro", words("de și în a la că să nu pe cu din o este pentru un care se mai au ca"
        + " sunt fi acest această prin al ale dar"));
    return words;
  }

  private static Set<String> words(String spaceSeparated) {
    return Set.of(spaceSeparated.split(" "));
  }
}
