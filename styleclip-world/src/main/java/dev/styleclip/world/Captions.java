package dev.styleclip.world;

import dev.styleclip.world.WorldAttributes.FacialHair;
import dev.styleclip.world.WorldAttributes.Makeup;
import dev.styleclip.world.WorldAttributes.Presentation;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Captions for portraits of the world, for training a text encoder against the images: many phrasings of
 * the same attributes, from one-attribute phrases ("purple hair", "mohawk hairstyle", "sunglasses") to long
 * descriptions ("a photo of a smiling woman with blond bob cut hair, wearing sunglasses"). A caption only
 * states what the portrait shows; it may leave any attribute out, except that a cat's captions always say
 * "cat" and a lion's "lion". The wordings of StyleCLIP's paper prompts are among them ("mohawk hairstyle",
 * "without makeup", "cute cat", "lion", "purple hair", "smiling", "sunglasses", "beard", "bald", "blond hair").
 */
public final class Captions {
    /** The frames a description is put in. */
    static final List<String> TEMPLATES = List.of("%s", "%s", "a photo of %s", "a picture of %s", "portrait of %s",
            "a portrait of %s", "an image of %s", "a close-up photo of %s", "a drawing of %s", "a headshot of %s");

    /** Probability that {@link #sample} returns a short, one-attribute phrase. */
    static final double SHORT_PROBABILITY = 0.2;

    private Captions() {
    }

    /**
     * One thing a caption may say about a portrait, in its forms: as an adjective before the noun ("smiling"),
     * as a clause after it ("with a beard"), or alone ("beard"). {@code weight} is how often a sampled
     * description mentions it.
     */
    record Fact(Topic topic, List<String> adjectives, List<String> clauses, List<String> shorts, double weight) {
    }

    /** What a {@link Fact} is about: the attribute a caption names with it. */
    public enum Topic { EXPRESSION, HAIR, EYEWEAR, FACIAL_HAIR, MAKEUP, EYES, SKIN, COAT, MANE, BACKGROUND }

    /**
     * A caption that always names {@code focus} (when the portrait has a fact about it): the fact is always in a
     * description, and a short phrase is one of that fact's. Contrastive training on pairs of portraits that
     * differ only in {@code focus} then has a caption that tells them apart.
     */
    public static String sample(WorldAttributes a, SplittableRandom rng, Topic focus) {
        List<Fact> facts = new ArrayList<>();
        Fact named = null;
        for (Fact f : facts(a)) {
            if (f.topic() == focus) {
                named = new Fact(f.topic(), f.adjectives(), f.clauses(), f.shorts(), 1.0);
                facts.add(named);
            } else {
                facts.add(f);
            }
        }
        if (named != null && !named.shorts().isEmpty() && rng.nextDouble() < SHORT_PROBABILITY) {
            return pick(rng, named.shorts());
        }
        return describe(a, facts, rng);
    }

    /** A caption drawn with {@code rng}: the same generator state gives the same caption. */
    public static String sample(WorldAttributes a, SplittableRandom rng) {
        List<Fact> facts = facts(a);
        if (rng.nextDouble() < SHORT_PROBABILITY) {
            List<String> shorts = shorts(a, facts);
            return shorts.get(rng.nextInt(shorts.size()));
        }
        return describe(a, facts, rng);
    }

    /** A framed description of {@code a} naming each fact with its weight's probability. */
    private static String describe(WorldAttributes a, List<Fact> facts, SplittableRandom rng) {
        List<String> nouns = nouns(a);
        List<String> adjectives = new ArrayList<>();
        List<String> clauses = new ArrayList<>();
        String tail = null;
        for (Fact f : facts) {
            if (rng.nextDouble() >= f.weight()) continue;
            boolean adjective = !f.adjectives().isEmpty() && (f.clauses().isEmpty() || rng.nextDouble() < 0.4) && adjectives.size() < 2;
            if (adjective) {
                adjectives.add(pick(rng, f.adjectives()));
            } else if (!f.clauses().isEmpty()) {
                String c = pick(rng, f.clauses());
                if (isBackground(c)) tail = c;
                else clauses.add(c);
            }
        }
        // shuffle the clauses (Fisher-Yates), so that no attribute is always named first
        for (int i = clauses.size() - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            String t = clauses.get(i);
            clauses.set(i, clauses.get(j));
            clauses.set(j, t);
        }
        if (a.species() == WorldAttributes.Species.CAT && rng.nextDouble() < 0.35) adjectives.add(0, pick(rng, CAT_ADJECTIVES));
        String description = describe(adjectives, pick(rng, nouns), clauses, tail);
        return String.format(pick(rng, TEMPLATES), description);
    }

    /** A caption from {@code seed} (a fresh generator seeded with it). */
    public static String sample(WorldAttributes a, long seed) {
        return sample(a, new SplittableRandom(seed));
    }

    /**
     * A fixed list of captions for {@code a}, without repeats: the one-attribute phrases, one description per
     * attribute, and a description naming every attribute, plain and in a few frames.
     */
    public static List<String> all(WorldAttributes a) {
        List<String> nouns = nouns(a);
        List<Fact> facts = facts(a);
        String noun = nouns.get(0);
        Set<String> out = new LinkedHashSet<>(shorts(a, facts));
        out.add(article(noun) + " " + noun);
        List<String> adjectives = new ArrayList<>();
        List<String> clauses = new ArrayList<>();
        String tail = null;
        for (Fact f : facts) {
            for (String adj : f.adjectives()) out.add(describe(List.of(adj), noun, List.of(), null));
            for (String c : f.clauses()) out.add(isBackground(c) ? describe(List.of(), noun, List.of(), c) : describe(List.of(), noun, List.of(c), null));
            if (f.weight() < 0.3) continue; // "without glasses" and the like stay out of the full description
            if (!f.adjectives().isEmpty() && adjectives.size() < 2) adjectives.add(f.adjectives().get(0));
            else if (!f.clauses().isEmpty()) {
                String c = f.clauses().get(0);
                if (isBackground(c)) tail = c;
                else clauses.add(c);
            }
        }
        String full = describe(adjectives, noun, clauses, tail);
        for (String t : List.of("%s", "a photo of %s", "a picture of %s", "portrait of %s")) out.add(String.format(t, full));
        return List.copyOf(out);
    }

    // ---------------------------------------------------------------------------------------------- facts

    static final List<String> CAT_ADJECTIVES = List.of("cute", "cute", "fluffy", "little", "adorable");

    static List<String> nouns(WorldAttributes a) {
        return switch (a.species()) {
            case HUMAN -> a.presentation() == Presentation.MAN
                    ? List.of("man", "man", "man", "guy", "person", "face")
                    : List.of("woman", "woman", "woman", "lady", "person", "face");
            case CAT -> List.of("cat", "cat", "cat", "kitty cat", "house cat");
            case LION -> a.mane() == WorldAttributes.Mane.NONE ? List.of("lion", "lioness") : List.of("lion", "lion", "male lion");
        };
    }

    static List<Fact> facts(WorldAttributes a) {
        List<Fact> f = new ArrayList<>();
        switch (a.species()) {
            case HUMAN -> humanFacts(a, f);
            case CAT -> {
                String coat = a.coat().words();
                List<String> coatClauses = switch (a.coat()) {
                    case TABBY -> List.of("with tabby stripes", "with striped fur");
                    case CALICO -> List.of("with calico fur", "with orange, black and white patches");
                    default -> List.of("with " + coat + " fur");
                };
                f.add(new Fact(Topic.COAT, List.of(coat), coatClauses, List.of(coat + " cat", article(coat) + " " + coat + " cat", "a cute " + coat + " cat"), 0.7));
                String eyes = a.eyeColor().words();
                f.add(new Fact(Topic.EYES, List.of(), List.of("with " + eyes), List.of("a cat with " + eyes, "cat with " + eyes), 0.35));
            }
            case LION -> {
                switch (a.mane()) {
                    case FULL -> f.add(new Fact(Topic.MANE, List.of("majestic"), List.of("with a full mane", "with a big mane", "with a thick mane"),
                            List.of("lion with a full mane", "a lion with a big mane"), 0.6));
                    case SMALL -> f.add(new Fact(Topic.MANE, List.of("young"), List.of("with a small mane", "with a short mane"),
                            List.of("lion with a small mane", "a young lion"), 0.6));
                    case NONE -> f.add(new Fact(Topic.MANE, List.of(), List.of("without a mane", "with no mane"),
                            List.of("lioness", "a lion without a mane"), 0.5));
                }
            }
        }
        String bg = a.background().words();
        String aBg = article(bg) + " " + bg + " background";
        List<String> bgShorts = switch (a.species()) {
            case HUMAN -> List.of(bg + " background");
            case CAT -> List.of("a cat on " + aBg);
            case LION -> List.of("a lion on " + aBg);
        };
        f.add(new Fact(Topic.BACKGROUND, List.of(), List.of("on " + aBg, "in front of " + aBg, "against " + aBg),
                bgShorts, 0.25));
        return f;
    }

    private static void humanFacts(WorldAttributes a, List<Fact> f) {
        switch (a.expression()) {
            case SMILING -> f.add(new Fact(Topic.EXPRESSION, List.of("smiling", "happy"), List.of("with a smile", "with a big smile"),
                    List.of("smiling", "a smiling face", "smile"), 0.5));
            case SURPRISED -> f.add(new Fact(Topic.EXPRESSION, List.of("surprised", "shocked"), List.of("with a surprised expression", "with an open mouth"),
                    List.of("surprised", "a surprised face"), 0.5));
            case NEUTRAL -> f.add(new Fact(Topic.EXPRESSION, List.of("serious"), List.of("with a neutral expression"), List.of("neutral expression"), 0.15));
        }
        String c = a.hairColor().words();
        switch (a.hairStyle()) {
            case BALD -> f.add(new Fact(Topic.HAIR, List.of("bald"), List.of("with a bald head", "with no hair"), List.of("bald", "bald head", "a bald person"), 0.6));
            case SHORT -> f.add(new Fact(Topic.HAIR, List.of(c + "-haired"), List.of("with short " + c + " hair", "with " + c + " hair", "with short hair"),
                    List.of(c + " hair", "short hair", "short " + c + " hair"), 0.6));
            case LONG -> f.add(new Fact(Topic.HAIR, List.of(c + "-haired", "long-haired"), List.of("with long " + c + " hair", "with " + c + " hair", "with long hair"),
                    List.of(c + " hair", "long hair", "long " + c + " hair"), 0.6));
            case MOHAWK -> f.add(new Fact(Topic.HAIR, List.of(), List.of("with a " + c + " mohawk", "with a mohawk hairstyle", "with " + c + " hair in a mohawk", "with a mohawk"),
                    List.of("mohawk hairstyle", "mohawk", c + " mohawk", c + " hair"), 0.6));
            case BOB_CUT -> f.add(new Fact(Topic.HAIR, List.of(c + "-haired"), List.of("with " + c + " bob cut hair", "with a " + c + " bob cut", "with a bob cut hairstyle"),
                    List.of("bob cut hairstyle", "bob cut", c + " hair"), 0.6));
            case CURLY -> f.add(new Fact(Topic.HAIR, List.of("curly-haired"), List.of("with curly " + c + " hair", "with " + c + " curly hair", "with curly hair"),
                    List.of("curly hair", c + " hair", "curly " + c + " hair"), 0.6));
        }
        switch (a.eyewear()) {
            case GLASSES -> f.add(new Fact(Topic.EYEWEAR, List.of(), List.of("wearing glasses", "with glasses", "wearing eyeglasses"), List.of("glasses", "eyeglasses"), 0.5));
            case SUNGLASSES -> f.add(new Fact(Topic.EYEWEAR, List.of(), List.of("wearing sunglasses", "with sunglasses", "with dark sunglasses"), List.of("sunglasses"), 0.5));
            case NONE -> f.add(new Fact(Topic.EYEWEAR, List.of(), List.of("without glasses"), List.of(), 0.1));
        }
        boolean man = a.presentation() == Presentation.MAN;
        if (a.facialHair() == FacialHair.BEARD) {
            f.add(new Fact(Topic.FACIAL_HAIR, List.of("bearded"), List.of("with a beard", "with a thick beard"), List.of("beard", "a bearded face"), 0.5));
        } else if (a.facialHair() == FacialHair.MOUSTACHE) {
            f.add(new Fact(Topic.FACIAL_HAIR, List.of(), List.of("with a moustache", "with a mustache"), List.of("moustache", "mustache"), 0.5));
        } else if (man) {
            f.add(new Fact(Topic.FACIAL_HAIR, List.of("clean-shaven"), List.of("without a beard"), List.of("clean shaven"), 0.1));
        }
        if (a.makeup() == Makeup.MAKEUP) {
            f.add(new Fact(Topic.MAKEUP, List.of(), List.of("with lipstick and eye shadow", "wearing makeup", "wearing lipstick", "with red lipstick", "with eye shadow"),
                    List.of("makeup", "lipstick and eye shadow", "red lipstick", "a face with lipstick and eye shadow"), 0.45));
        } else {
            f.add(new Fact(Topic.MAKEUP, List.of(), List.of("without makeup", "with no makeup"), List.of("without makeup", "no makeup"), man ? 0.1 : 0.3));
        }
        String eyes = a.eyeColor().words();
        f.add(new Fact(Topic.EYES, List.of(), List.of("with " + eyes), List.of(eyes), 0.25));
        String skin = a.skinTone().words();
        f.add(new Fact(Topic.SKIN, List.of(), List.of("with " + skin), List.of(skin), 0.2));
    }

    private static List<String> shorts(WorldAttributes a, List<Fact> facts) {
        List<String> s = new ArrayList<>();
        switch (a.species()) {
            case HUMAN -> s.add(a.presentation().words());
            case CAT -> s.addAll(List.of("cat", "cute cat", "a cute cat"));
            case LION -> s.addAll(List.of("lion", "a lion"));
        }
        for (Fact f : facts) s.addAll(f.shorts());
        return s;
    }

    // ---------------------------------------------------------------------------------------------- grammar

    private static boolean isBackground(String clause) {
        return clause.endsWith(" background");
    }

    /** "a smiling man with a beard, wearing sunglasses and without makeup on a blue background". */
    static String describe(List<String> adjectives, String noun, List<String> clauses, String tail) {
        StringBuilder b = new StringBuilder();
        String head = adjectives.isEmpty() ? noun : String.join(" ", adjectives) + " " + noun;
        b.append(article(head)).append(' ').append(head);
        for (int i = 0; i < clauses.size(); i++) {
            b.append(i == 0 ? " " : i == clauses.size() - 1 ? " and " : ", ").append(clauses.get(i));
        }
        if (tail != null) b.append(' ').append(tail);
        return b.toString();
    }

    static String article(String phrase) {
        return "aeiou".indexOf(Character.toLowerCase(phrase.charAt(0))) >= 0 ? "an" : "a";
    }

    private static <T> T pick(SplittableRandom r, List<T> values) {
        return values.get(r.nextInt(values.size()));
    }
}
