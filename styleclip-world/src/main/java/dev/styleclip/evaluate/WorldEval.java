package dev.styleclip.evaluate;

import dev.styleclip.stop.Stop;
import dev.styleclip.clip.ClipLoss;
import dev.styleclip.clip.ClipModel;
import dev.styleclip.clip.tokenizer.ClipTokenizer;
import dev.styleclip.clip.tokenizer.TruncationPolicy;
import dev.styleclip.edit.optimize.LatentOptimization;
import dev.styleclip.edit.optimize.OptimizationMode;
import dev.styleclip.edit.optimize.OptimizationSpace;
import dev.styleclip.stylegan2.Generator;
import dev.styleclip.stylegan2.Latents;
import dev.styleclip.stylegan2.NoiseMode;
import dev.styleclip.tensor.Tensors;
import dev.styleclip.train.classifier.AttributeClassifier;
import dev.styleclip.world.AttributeCategory;
import dev.styleclip.world.WorldAttributes;
import dev.styleclip.world.WorldAttributes.Species;
import dev.styleclip.world.WorldDataset;
import dev.styleclip.world.WorldPrior;
import dev.styleclip.world.WorldSample;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.ScalarOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * Judges text edits on the world with the attribute classifier (which never guides an edit): for a prompt, the
 * first seeds whose generated portrait can take the edit (the right species, not already showing the target, a man
 * for facial hair, hair for a hair colour), each
 * edited, then classified again. Edit success: the target class is predicted after the edit. Preservation: the
 * fraction of the other categories (those that apply to the species before and after) whose predicted class did
 * not change. CLIP similarity: cosine of the image and the prompt's text embedding, before and after.
 */
public final class WorldEval {
    /** A prompt and what it should produce: a class of a category, starting from portraits of {@code from}. */
    public record Target(String prompt, String category, String className, Set<Species> from, boolean needsHair) {
        public AttributeCategory attributeCategory() {
            return AttributeCategory.byName(category);
        }

        public int classIndex() {
            return attributeCategory().classNames().indexOf(className);
        }
    }

    /** The ten prompts of the issue: the StyleCLIP paper's four and six attributes of the world. */
    public static final List<Target> TARGETS = List.of(
            new Target("mohawk hairstyle", "hair_style", "mohawk", EnumSet.of(Species.HUMAN), false),
            new Target("without makeup", "makeup", "none", EnumSet.of(Species.HUMAN), false),
            new Target("cute cat", "species", "cat", EnumSet.of(Species.HUMAN, Species.LION), false),
            new Target("lion", "species", "lion", EnumSet.of(Species.HUMAN, Species.CAT), false),
            new Target("purple hair", "hair_color", "purple", EnumSet.of(Species.HUMAN), true),
            new Target("smiling", "expression", "smiling", EnumSet.of(Species.HUMAN), false),
            new Target("sunglasses", "eyewear", "sunglasses", EnumSet.of(Species.HUMAN), false),
            new Target("beard", "facial_hair", "beard", EnumSet.of(Species.HUMAN), false),
            new Target("bald", "hair_style", "bald", EnumSet.of(Species.HUMAN), false),
            new Target("blond hair", "hair_color", "blond", EnumSet.of(Species.HUMAN), true));

    /** One line of the table. */
    /**
     * @param preservation    over the categories the classifier reads on generator samples ({@link #judgeOnly})
     * @param preservationAll over every category that applies
     * @param changed         per category counted in {@code preservationAll}: the fraction of the seeds whose reading
     *                        changed, most changed first
     */
    public record Row(String prompt, String method, int seeds, double success, double preservation, double preservationAll,
                      double clipBefore, double clipAfter, java.util.Map<String, Double> changed, List<SeedScore> perSeed) {
        /** A row without per-seed scores (a summary from elsewhere). */
        public Row(String prompt, String method, int seeds, double success, double preservation, double preservationAll,
                   double clipBefore, double clipAfter, java.util.Map<String, Double> changed) {
            this(prompt, method, seeds, success, preservation, preservationAll, clipBefore, clipAfter, changed, List.of());
        }

        /** The {@code k} most changed categories, as "hair_color 30%, background 8%". */
        public String mostChanged(int k) {
            StringBuilder b = new StringBuilder();
            changed.entrySet().stream().filter(e -> e.getValue() > 0).limit(k).forEach(e ->
                    b.append(b.length() == 0 ? "" : ", ").append(String.format("%s %.0f%%", e.getKey(), 100 * e.getValue())));
            return b.length() == 0 ? "none" : b.toString();
        }
    }

    /** The figures issue 7 holds latent optimization on the bundled set to: edit success and preservation over all edits. */
    public static final double WANTED_SUCCESS = 0.8;
    public static final double WANTED_PRESERVATION = 0.9;

    /**
     * One method over every prompt judged: success and preservation over all its edits (each seed counts once), and
     * how many prompts reach {@link #WANTED_SUCCESS} and {@link #WANTED_PRESERVATION} on their own.
     */
    public record Summary(String method, int prompts, int edits, double success, double preservation, int promptsMeetingBoth) {
        /** The summaries of {@code rows}, one per method, in the order the methods first appear. */
        public static List<Summary> of(List<Row> rows) {
            java.util.Map<String, List<Row>> byMethod = new java.util.LinkedHashMap<>();
            for (Row r : rows) byMethod.computeIfAbsent(r.method(), k -> new ArrayList<>()).add(r);
            List<Summary> out = new ArrayList<>();
            byMethod.forEach((m, rs) -> {
                int edits = 0, meeting = 0;
                double hits = 0, kept = 0;
                for (Row r : rs) {
                    edits += r.seeds();
                    hits += r.success() * r.seeds();
                    kept += r.preservation() * r.seeds();
                    if (r.success() >= WANTED_SUCCESS && r.preservation() >= WANTED_PRESERVATION) meeting++;
                }
                out.add(new Summary(m, rs.size(), edits, edits == 0 ? 0 : hits / edits, edits == 0 ? 0 : kept / edits, meeting));
            });
            return out;
        }

        /** "optimize: 10 prompts, 500 edits: success 83.2%, preservation 90.8%; 5 of 10 reach 80% and 90%". */
        public String line() {
            return String.format("%s: %d %s, %d edits: success %.1f%%, preservation %.1f%%; %d of %d reach %.0f%% and %.0f%%",
                    method, prompts, prompts == 1 ? "prompt" : "prompts", edits, 100 * success, 100 * preservation, promptsMeetingBoth, prompts,
                    100 * WANTED_SUCCESS, 100 * WANTED_PRESERVATION);
        }
    }

    /** One edited seed: whether the target was read after the edit, its preservation, CLIP's cosine to the prompt. */
    public record SeedScore(boolean success, double preservation, double clipBefore, double clipAfter) {
    }

    /** How well the classifier recognises the generator's samples. */
    public record Recognition(int samples, double confidentSpecies, double meanConfidence, double agreementWithPrior,
                              java.util.Map<String, Double> agreementByCategory) {
        /** The categories read with an agreement of at least {@code minAgreement}: those preservation counts ({@link #judgeOnly}). */
        public Set<AttributeCategory> readable(double minAgreement) {
            Set<AttributeCategory> out = new java.util.LinkedHashSet<>();
            agreementByCategory.forEach((cat, a) -> {
                if (a >= minAgreement) out.add(AttributeCategory.byName(cat));
            });
            return out;
        }
    }

    /** The agreement at which world eval counts a category as read (its {@code --readable} default). */
    public static final double READABLE = 0.7;

    /** Edits a batch of W+ latents [B, L, D] towards a prompt; returns the edited images [B, 3, S, S]. */
    @FunctionalInterface
    public interface Method {
        Tensor edit(Tensor wplus, Target target);
    }

    private final Generator g;
    private final ClipModel clip;
    private final ClipLoss clipLoss;
    private final AttributeClassifier classifier;
    private final double truncation;
    private final ClipTokenizer tokenizer = ClipTokenizer.load();
    private final java.util.Map<Integer, int[]> seedClasses = new java.util.HashMap<>();
    private Set<AttributeCategory> judged = Set.copyOf(AttributeCategory.ALL);

    /**
     * Count preservation over {@code readable} categories only (the rest still appear in {@link Row#preservationAll}):
     * where the classifier cannot read a category on the generator's samples, a change in its reading after an edit
     * says nothing about the edit.
     */
    public void judgeOnly(Set<AttributeCategory> readable) {
        this.judged = Set.copyOf(readable);
    }

    public WorldEval(Generator g, ClipModel clip, ClipLoss clipLoss, AttributeClassifier classifier, double truncation) {
        this.g = g;
        this.clip = clip;
        this.clipLoss = clipLoss;
        this.classifier = classifier;
        this.truncation = truncation;
    }

    /** W+ of a seed, as {@code generate --seed} draws it. */
    public Tensor wplus(long seed) {
        return g.toWPlus(g.truncate(g.mapping(Latents.seedZ(seed, g.config().styleDim())), truncation));
    }

    public Tensor image(Tensor wplus) {
        return g.synthesize(wplus, NoiseMode.CONST).clamp(new ScalarOptional(new Scalar(-1)), new ScalarOptional(new Scalar(1)));
    }

    private int[] classesOfSeed(int seed) {
        return seedClasses.computeIfAbsent(seed, s -> {
            try (PointerScope scope = new PointerScope(); NoGradGuard ng = new NoGradGuard()) {
                return classifier.predict(image(wplus(s))).classes()[0];
            }
        });
    }

    static boolean applies(AttributeCategory c, Species s) {
        return switch (c.name()) {
            case "species", "background" -> true;
            case "eye_color" -> s != Species.LION;
            case "cat_coat" -> s == Species.CAT;
            case "lion_mane" -> s == Species.LION;
            default -> s == Species.HUMAN;
        };
    }

    static Species species(int[] classes) {
        return Species.values()[classes[AttributeCategory.ALL.indexOf(AttributeCategory.SPECIES)]];
    }

    /** The first {@code n} seeds (from 0, below {@code maxSeed}) whose portrait can take the edit. */
    public List<Integer> eligibleSeeds(Target t, int n, int maxSeed) {
        return eligibleSeeds(t, n, 0, maxSeed);
    }

    /**
     * The first {@code n} seeds from {@code firstSeed} on (trying {@code tries} of them at most) whose portrait can take
     * the edit; a start away from 0 gives seeds the table's settings were not chosen on.
     */
    public List<Integer> eligibleSeeds(Target t, int n, int firstSeed, int tries) {
        List<Integer> out = new ArrayList<>();
        if (firstSeed < 0 || (long) firstSeed + tries > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("seeds " + firstSeed + " to " + ((long) firstSeed + tries) + " are out of range");
        }
        for (int seed = firstSeed; seed < firstSeed + tries && out.size() < n; seed++) {
            if (canTake(t, classesOfSeed(seed))) out.add(seed);
        }
        return out;
    }

    /**
     * Whether a portrait of these classes (one per category, {@link AttributeCategory#ALL}'s order) can take the edit:
     * the right species, not already the target, hair for a hair colour, a man for facial hair (the world has no
     * bearded women).
     */
    public static boolean canTake(Target t, int[] c) {
        int head = AttributeCategory.ALL.indexOf(t.attributeCategory());
        int hairStyle = AttributeCategory.ALL.indexOf(AttributeCategory.HAIR_STYLE);
        int presentation = AttributeCategory.ALL.indexOf(AttributeCategory.PRESENTATION);
        if (!t.from().contains(species(c))) return false;
        if (c[head] == t.classIndex()) return false;
        if (t.needsHair() && c[hairStyle] == AttributeCategory.HAIR_STYLE.classNames().indexOf("bald")) return false;
        return t.attributeCategory() != AttributeCategory.FACIAL_HAIR
                || c[presentation] == AttributeCategory.PRESENTATION.classNames().indexOf("man");
    }

    /** The seeds' images before and after an edit, [N, 3, S, S] each, clamped to [-1, 1]. */
    public record Edited(Tensor before, Tensor after) {
    }

    /** The W+ latents of the seeds, as {@link #wplus(long)} draws them, [N, L, D] in the caller's scope. */
    public Tensor wplus(List<Integer> seeds) {
        try (NoGradGuard ng = new NoGradGuard()) {
            TensorVector rows = new TensorVector();
            for (int s : seeds) rows.push_back(wplus(s));
            return torch.cat(rows, 0);
        }
    }

    /** Edits the seeds with {@code method}, all at once; the tensors live in the caller's scope. */
    public Edited edit(Target t, Method method, List<Integer> seeds) {
        return edit(t, method, wplus(seeds));
    }

    /**
     * Edits W+ latents [N, L, D] (a seed's, or an inverted picture's) with {@code method}, all at once: before is their
     * image with the generator's noise buffers ({@link #image}); the tensors live in the caller's scope.
     */
    public Edited edit(Target t, Method method, Tensor w) {
        Tensor before;
        try (NoGradGuard ng = new NoGradGuard()) {
            before = image(w);
        }
        return new Edited(before, method.edit(w, t).detach().clamp(new ScalarOptional(new Scalar(-1)), new ScalarOptional(new Scalar(1))));
    }

    /** Edits the seeds with {@code method} and scores the result. */
    public Row evaluate(Target t, String methodName, Method method, List<Integer> seeds) {
        try (PointerScope scope = new PointerScope()) {
            Edited e = edit(t, method, seeds);
            return score(t, methodName, e.before(), e.after());
        }
    }

    /** Success, preservation and CLIP similarity of edited images against the originals. */
    public Row score(Target t, String methodName, Tensor before, Tensor after) {
        return score(t, methodName, classifier.predict(before).classes(), before, after);
    }

    /**
     * As {@link #score(Target, String, Tensor, Tensor)}, preservation counted against {@code reference} classes (one
     * row per image, {@link AttributeCategory#ALL}'s order) instead of the classifier's reading of {@code before}: for
     * an edit of an inverted picture, the picture's true attributes.
     */
    public Row score(Target t, String methodName, int[][] reference, Tensor before, Tensor after) {
        int head = AttributeCategory.ALL.indexOf(t.attributeCategory());
        int[][] cb = reference;
        int[][] ca = classifier.predict(after).classes();
        int n = cb.length, hits = 0;
        double kept = 0, keptAll = 0;
        int[] changes = new int[AttributeCategory.ALL.size()];
        boolean[] hit = new boolean[n];
        double[] keptSeed = new double[n];
        for (int i = 0; i < n; i++) {
            hit[i] = ca[i][head] == t.classIndex();
            if (hit[i]) hits++;
            Species sb = species(cb[i]), sa = species(ca[i]);
            int same = 0, counted = 0, sameAll = 0, countedAll = 0;
            for (int c = 0; c < AttributeCategory.ALL.size(); c++) {
                AttributeCategory cat = AttributeCategory.ALL.get(c);
                if (c == head || !applies(cat, sb) || !applies(cat, sa)) continue;
                // a species edit changes the species itself; a hair-style edit to bald makes hair colour moot
                if (t.category().equals("hair_style") && cat == AttributeCategory.HAIR_COLOR) continue;
                boolean unchanged = cb[i][c] == ca[i][c];
                if (!unchanged) changes[c]++;
                countedAll++;
                if (unchanged) sameAll++;
                if (!judged.contains(cat)) continue;
                counted++;
                if (unchanged) same++;
            }
            keptSeed[i] = counted == 0 ? 1 : same / (double) counted;
            kept += keptSeed[i];
            keptAll += countedAll == 0 ? 1 : sameAll / (double) countedAll;
        }
        float[][] sim = similarity(before, after, t.prompt()); // [before, after][seed]
        List<SeedScore> perSeed = new ArrayList<>();
        for (int i = 0; i < n; i++) perSeed.add(new SeedScore(hit[i], keptSeed[i], sim[0][i], sim[1][i]));
        java.util.Map<String, Double> changed = new java.util.LinkedHashMap<>();
        java.util.stream.IntStream.range(0, changes.length).boxed().sorted((a, b) -> changes[b] - changes[a])
                .forEach(c -> changed.put(AttributeCategory.ALL.get(c).name(), changes[c] / (double) n));
        return new Row(t.prompt(), methodName, n, hits / (double) n, kept / n, keptAll / n, mean(sim[0]), mean(sim[1]), changed, perSeed);
    }

    /** CLIP's cosine of each image to the prompt: {before, after}, one value per seed. */
    private float[][] similarity(Tensor before, Tensor after, String prompt) {
        try (PointerScope scope = new PointerScope(); NoGradGuard ng = new NoGradGuard()) {
            int[][] text = tokenizer.tokenize(List.of(prompt), TruncationPolicy.TRUNCATE);
            Tensor b = clipLoss.cosine(before, text); // [N, 1]
            Tensor a = clipLoss.cosine(after, text);
            return new float[][] {Tensors.toFloatArray(b), Tensors.toFloatArray(a)};
        }
    }

    /** The mean, summed in double. */
    private static double mean(float[] v) {
        double s = 0;
        for (float x : v) s += x;
        return v.length == 0 ? 0 : s / v.length;
    }

    private static Tensor normalize(Tensor x) {
        return x.div(x.norm(new ScalarOptional(new Scalar(2)), new long[] {1}, true));
    }

    /**
     * Latent optimization with {@code settings} (their prompt replaced by each target's; no identity term), all seeds
     * of a prompt as one batch.
     */
    public Method optimize(LatentOptimization.Settings settings) {
        return optimize(settings, n -> { });
    }

    /** As {@link #optimize(LatentOptimization.Settings)}, telling {@code retried} how many seeds of each batch a retry optimized again. */
    public Method optimize(LatentOptimization.Settings settings, java.util.function.IntConsumer retried) {
        if (settings.idLambda() > 0) throw new IllegalArgumentException("world eval's optimization has no identity term");
        LatentOptimization opt = new LatentOptimization(g, clipLoss, null);
        return (w, t) -> {
            LatentOptimization.Result r = opt.run(w, settings.withPrompt(t.prompt()), null);
            retried.accept(r.retried().length);
            return r.finalImage();
        };
    }

    /** A method given as a W+ -> W+ map (a mapper), images synthesised from its result. */
    public Method latentMap(UnaryOperator<Tensor> map) {
        return (w, t) -> {
            try (NoGradGuard ng = new NoGradGuard()) {
                return image(map.apply(w));
            }
        };
    }

    /** Zero-shot prompts per category for {@link #clipZeroShot}: one prompt per class, in class order. */
    static final java.util.Map<AttributeCategory, List<String>> ZERO_SHOT = new java.util.LinkedHashMap<>();

    static {
        ZERO_SHOT.put(AttributeCategory.SPECIES, List.of("a photo of a person", "a photo of a cat", "a photo of a lion"));
        ZERO_SHOT.put(AttributeCategory.HAIR_STYLE, zeroShotPrompts(AttributeCategory.HAIR_STYLE, java.util.Map.of(
                "bald", "bald", "mohawk", "mohawk hairstyle", "bob_cut", "bob cut", "curly", "curly hair", "short", "short hair", "long", "long hair")));
        ZERO_SHOT.put(AttributeCategory.HAIR_COLOR, zeroShotPrompts(AttributeCategory.HAIR_COLOR, java.util.Map.of()));
        ZERO_SHOT.put(AttributeCategory.EXPRESSION, zeroShotPrompts(AttributeCategory.EXPRESSION, java.util.Map.of(
                "neutral", "neutral expression", "smiling", "smiling", "surprised", "surprised")));
        ZERO_SHOT.put(AttributeCategory.EYEWEAR, zeroShotPrompts(AttributeCategory.EYEWEAR, java.util.Map.of(
                "none", "no glasses", "glasses", "glasses", "sunglasses", "sunglasses")));
        ZERO_SHOT.put(AttributeCategory.FACIAL_HAIR, zeroShotPrompts(AttributeCategory.FACIAL_HAIR, java.util.Map.of(
                "none", "clean shaven", "beard", "beard", "moustache", "moustache")));
        ZERO_SHOT.put(AttributeCategory.MAKEUP, zeroShotPrompts(AttributeCategory.MAKEUP, java.util.Map.of(
                "none", "without makeup", "makeup", "makeup")));
    }

    /** A prompt per class: {@code words} where given, else "<class> hair" (hair colours). */
    private static List<String> zeroShotPrompts(AttributeCategory c, java.util.Map<String, String> words) {
        List<String> out = new ArrayList<>();
        for (String name : c.classNames()) out.add(words.getOrDefault(name, name.replace('_', ' ') + " hair"));
        return out;
    }

    /** World renders and their L2-normalised CLIP image features [N, embed_dim]. */
    private record Renders(Tensor features, List<WorldSample> samples) {
    }

    /** Renders seeds {@code firstSeed}... ({@code n}) and encodes them with CLIP, 200 at a time; the result in the caller's scope. */
    private Renders renders(long firstSeed, int n) {
        return renders(WorldDataset.samples(firstSeed, n));
    }

    /** Renders {@code samples} and encodes them with CLIP, 200 at a time; the result in the caller's scope. */
    private Renders renders(List<WorldSample> samples) {
        int n = samples.size();
        try (NoGradGuard ng = new NoGradGuard();
             WorldDataset.Batch b = WorldDataset.batch(samples, g.config().size())) {
            TensorVector parts = new TensorVector();
            for (int i = 0; i < n; i += 200) {
                Stop.check();
                // each chunk's intermediates (the fit upsamples 7x: about 0.5 GB for 200 images) go with its own scope
                try (PointerScope chunk = new PointerScope()) {
                    Tensor f = normalize(clip.encodeImage(clipLoss.fit(b.images().narrow(0, i, Math.min(200, n - i)))));
                    parts.push_back(Tensors.keep(chunk, f));
                }
            }
            return new Renders(torch.cat(parts, 0), b.samples());
        }
    }

    /**
     * CLIP's zero-shot accuracy on {@code n} world renders (seeds {@code firstSeed}...; never training seeds): per
     * category of {@link #ZERO_SHOT}, the share of portraits it applies to whose class prompt CLIP ranks first. This
     * says which prompts CLIP can guide an edit towards at all.
     */
    public java.util.Map<String, Double> clipZeroShot(long firstSeed, int n) {
        java.util.Map<String, Double> out = new java.util.LinkedHashMap<>();
        try (PointerScope scope = new PointerScope(); NoGradGuard ng = new NoGradGuard()) {
            Renders b = renders(firstSeed, n);
            Tensor img = b.features();
            for (var e : ZERO_SHOT.entrySet()) {
                Tensor text = normalize(clip.encodeText(tokenizer.tokenize(e.getValue(), TruncationPolicy.TRUNCATE)));
                long[] best = Tensors.toLongArray(img.matmul(text.t()).argmax(new org.bytedeco.pytorch.LongOptional(1), false));
                int right = 0, counted = 0;
                for (int i = 0; i < n; i++) {
                    int truth = e.getKey().index(b.samples().get(i).attributes());
                    if (truth == AttributeCategory.NOT_APPLICABLE) continue;
                    counted++;
                    if (best[i] == truth) right++;
                }
                if (counted > 0) out.put(e.getKey().name(), right / (double) counted);
            }
        }
        return out;
    }

    /**
     * How well CLIP's similarity to each target prompt ranks {@code n} world renders (seeds {@code firstSeed}...):
     * the AUC, over pairs of a render showing the target and one that could take the edit (a species of
     * {@link Target#from}, without the target), of the first having the higher cosine. 0.5 is chance. An edit
     * climbs that similarity, so a prompt with an AUC near 0.5 cannot guide one.
     */
    public java.util.Map<String, Double> clipRankingAuc(List<Target> targets, long firstSeed, int n) {
        java.util.Map<String, Double> out = new java.util.LinkedHashMap<>();
        try (PointerScope scope = new PointerScope(); NoGradGuard ng = new NoGradGuard()) {
            Renders b = renders(firstSeed, n);
            Tensor img = b.features();
            for (Target t : targets) {
                Tensor text = normalize(clip.encodeText(tokenizer.tokenize(List.of(t.prompt()), TruncationPolicy.TRUNCATE)));
                float[] sim = Tensors.toFloatArray(img.matmul(text.t()));
                List<Float> pos = new ArrayList<>(), neg = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    var a = b.samples().get(i).attributes();
                    int c = t.attributeCategory().index(a);
                    if (c == t.classIndex()) pos.add(sim[i]);
                    else if (t.from().contains(a.species()) && (c != AttributeCategory.NOT_APPLICABLE || t.category().equals("species"))) neg.add(sim[i]);
                }
                if (pos.isEmpty() || neg.isEmpty()) continue;
                double wins = 0;
                for (float p : pos) for (float q : neg) wins += p > q ? 1 : p == q ? 0.5 : 0;
                out.put(t.prompt(), wins / ((double) pos.size() * neg.size()));
            }
        }
        return out;
    }

    /**
     * CLIP on twins: a render that could take the edit and the same render (same seed, same pose and colours) with
     * the target drawn in. {@code cosine}: the mean cosine between the twins' image features (1 when CLIP cannot
     * tell them apart); {@code higher}: the share of twins where the one with the target has the higher similarity
     * to the prompt; {@code gain}: the mean rise in that similarity. An edit can only climb what CLIP sees change, so
     * a prompt whose twins score alike cannot guide one.
     */
    public record Twins(int pairs, double cosine, double higher, double gain) {
    }

    /**
     * {@link Twins} for each target that names a human attribute (species targets have no twin: a cat is not a
     * human with one attribute changed), over the first {@code n} renders from {@code firstSeed} that could take it
     * (a human without the target; a man for facial hair; hair for a hair colour).
     */
    public java.util.Map<String, Twins> clipTwins(List<Target> targets, long firstSeed, int n) {
        java.util.Map<String, Twins> out = new java.util.LinkedHashMap<>();
        for (Target t : targets) {
            List<WorldSample> without = new ArrayList<>(), with = new ArrayList<>();
            for (long seed = firstSeed; without.size() < n && seed < firstSeed + 50L * n; seed++) {
                var s = WorldDataset.samples(seed, 1).get(0);
                var a = s.attributes();
                if (!a.isHuman() || t.attributeCategory().index(a) == t.classIndex()) continue;
                if (t.needsHair() && a.hairStyle() == WorldAttributes.HairStyle.BALD) continue;
                if (t.category().equals("facial_hair") && a.presentation() != WorldAttributes.Presentation.MAN) continue;
                var twin = withTarget(a, t);
                if (twin == null) break;
                without.add(s);
                with.add(new WorldSample(s.seed(), twin, s.nuisance()));
            }
            if (without.isEmpty()) continue;
            try (PointerScope scope = new PointerScope(); NoGradGuard ng = new NoGradGuard()) {
                Tensor fa = renders(without).features(), fb = renders(with).features();
                Tensor text = normalize(clip.encodeText(tokenizer.tokenize(List.of(t.prompt()), TruncationPolicy.TRUNCATE)));
                float[] sa = Tensors.toFloatArray(fa.matmul(text.t())), sb = Tensors.toFloatArray(fb.matmul(text.t()));
                double higher = 0, gain = 0;
                for (int i = 0; i < sa.length; i++) {
                    higher += sb[i] > sa[i] ? 1 : 0;
                    gain += sb[i] - sa[i];
                }
                out.put(t.prompt(), new Twins(sa.length, fa.mul(fb).sum(1).mean().item_double(), higher / sa.length, gain / sa.length));
            }
        }
        return out;
    }

    /** {@code a} showing the target (a human attribute), or null for a species target. */
    static WorldAttributes withTarget(WorldAttributes a, Target t) {
        return t.attributeCategory() == AttributeCategory.SPECIES ? null : t.attributeCategory().withClass(a, t.classIndex());
    }

    /** Accuracy of a linear probe on CLIP's image features for one category, beside always naming its commonest class. */
    public record Probe(double accuracy, double majority) {
    }

    /**
     * Whether CLIP's image features carry each category of {@link #ZERO_SHOT} at all: a multinomial logistic regression
     * on the L2-normalised image features of {@code nTrain} renders (seeds {@code firstSeed}...; full-batch gradient
     * descent, 300 steps), scored on the next {@code nTest}. A probe no better than the majority class means the image
     * tower does not encode the attribute, so no caption or prompt can reach it.
     */
    public java.util.Map<String, Probe> clipLinearProbe(long firstSeed, int nTrain, int nTest) {
        java.util.Map<String, Probe> out = new java.util.LinkedHashMap<>();
        try (PointerScope scope = new PointerScope()) {
            Renders b = renders(firstSeed, nTrain + nTest);
            Tensor feats = b.features().mul(new Scalar(20));
            for (AttributeCategory c : ZERO_SHOT.keySet()) {
                List<Long> trainRows = new ArrayList<>(), trainY = new ArrayList<>(), testRows = new ArrayList<>(), testY = new ArrayList<>();
                for (int i = 0; i < nTrain + nTest; i++) {
                    int y = c.index(b.samples().get(i).attributes());
                    if (y == AttributeCategory.NOT_APPLICABLE) continue;
                    (i < nTrain ? trainRows : testRows).add((long) i);
                    (i < nTrain ? trainY : testY).add((long) y);
                }
                if (trainRows.isEmpty() || testRows.isEmpty()) continue;
                Tensor x = feats.index_select(0, Tensors.longs(trainRows.stream().mapToLong(Long::longValue).toArray()));
                Tensor y = Tensors.longs(trainY.stream().mapToLong(Long::longValue).toArray());
                Tensor w = torch.zeros(new long[] {x.size(1), c.numClasses()}).set_requires_grad(true);
                Tensor bias = torch.zeros(new long[] {c.numClasses()}).set_requires_grad(true);
                for (int it = 0; it < 300; it++) {
                    try (PointerScope step = new PointerScope()) {
                        Tensor loss = torch.cross_entropy(x.matmul(w).add(bias), y);
                        if (w.grad().defined()) {
                            w.grad().zero_();
                            bias.grad().zero_();
                        }
                        loss.backward();
                        try (NoGradGuard ng = new NoGradGuard()) {
                            w.sub_(w.grad().mul(new Scalar(0.5)));
                            bias.sub_(bias.grad().mul(new Scalar(0.5)));
                        }
                    }
                }
                long[] pred;
                try (NoGradGuard ng = new NoGradGuard()) {
                    Tensor xt = feats.index_select(0, Tensors.longs(testRows.stream().mapToLong(Long::longValue).toArray()));
                    pred = Tensors.toLongArray(xt.matmul(w).add(bias).argmax(new org.bytedeco.pytorch.LongOptional(1), false));
                }
                int right = 0;
                long[] counts = new long[c.numClasses()];
                for (int i = 0; i < pred.length; i++) {
                    if (pred[i] == testY.get(i)) right++;
                    counts[testY.get(i).intValue()]++;
                }
                long most = java.util.Arrays.stream(counts).max().orElse(0);
                out.put(c.name(), new Probe(right / (double) pred.length, most / (double) pred.length));
            }
        }
        return out;
    }

    /**
     * How recognisable the generator's samples are: over seeds 0 .. n-1, the fraction whose species the classifier
     * names with confidence of at least 0.9, the mean confidence over every applicable head, and the fraction of
     * applicable attributes where the classifier agrees with what the latent stands for ({@link WorldPrior}).
     */
    public Recognition recognition(int n) {
        int confident = 0;
        double confSum = 0, agree = 0;
        long heads = 0;
        int speciesHead = AttributeCategory.ALL.indexOf(AttributeCategory.SPECIES);
        int cats = AttributeCategory.ALL.size();
        long[] catAgree = new long[cats], catCount = new long[cats];
        for (int seed = 0; seed < n; seed++) {
            try (PointerScope scope = new PointerScope(); NoGradGuard ng = new NoGradGuard()) {
                Tensor z = Latents.seedZ(seed, g.config().styleDim());
                var p = classifier.predict(image(g.toWPlus(g.truncate(g.mapping(z), truncation))));
                int[] c = p.classes()[0];
                float[] conf = p.confidence()[0];
                if (conf[speciesHead] >= 0.9) confident++;
                var prior = WorldPrior.sample(Tensors.toFloatArray(z), seed).attributes();
                for (int h = 0; h < c.length; h++) {
                    AttributeCategory cat = AttributeCategory.ALL.get(h);
                    if (!applies(cat, species(c))) continue;
                    confSum += conf[h];
                    heads++;
                    catCount[h]++;
                    if (cat.index(prior) == c[h]) {
                        agree++;
                        catAgree[h]++;
                    }
                }
            }
        }
        java.util.Map<String, Double> byCategory = new java.util.LinkedHashMap<>();
        for (int h = 0; h < cats; h++) {
            if (catCount[h] > 0) byCategory.put(AttributeCategory.ALL.get(h).name(), catAgree[h] / (double) catCount[h]);
        }
        return new Recognition(n, confident / (double) n, confSum / heads, agree / heads, byCategory);
    }
}
