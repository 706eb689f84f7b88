package dev.styleclip.world;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class WorldPriorTest {
    @Test
    void normalCdfMatchesKnownValues() {
        assertEquals(0.5, WorldPrior.normalCdf(0), 1e-7);
        assertEquals(0.8413447, WorldPrior.normalCdf(1), 1e-6);
        assertEquals(0.0227501, WorldPrior.normalCdf(-2), 1e-6);
        assertTrue(WorldPrior.normalCdf(40) < 1.0);
    }

    @Test
    void gaussianLatentsGiveTheSamplersSpeciesProportions() {
        Random r = new Random(7);
        int n = 4000, humans = 0, cats = 0;
        for (int i = 0; i < n; i++) {
            float[] z = new float[64];
            for (int j = 0; j < z.length; j++) z[j] = (float) r.nextGaussian();
            WorldAttributes a = WorldPrior.sample(z, i).attributes();
            if (a.species() == WorldAttributes.Species.HUMAN) humans++;
            if (a.species() == WorldAttributes.Species.CAT) cats++;
        }
        assertEquals(WorldSampler.HUMAN_FRACTION, humans / (double) n, 0.03);
        assertEquals(WorldSampler.CAT_FRACTION, cats / (double) n, 0.03);
    }

    @Test
    void theGeneratorsPortraitsStandInTheCanonicalPoseWhileColoursVary() {
        java.util.Set<Double> jitters = new java.util.HashSet<>();
        java.util.Random r = new java.util.Random(3);
        for (int i = 0; i < 50; i++) {
            float[] z = new float[WorldPrior.USED_DIMENSIONS];
            for (int j = 0; j < z.length; j++) z[j] = (float) r.nextGaussian();
            Nuisance n = WorldPrior.sample(z, i).nuisance();
            assertEquals(Nuisance.NONE.faceWidth(), n.faceWidth());
            assertEquals(Nuisance.NONE.faceHeight(), n.faceHeight());
            assertEquals(0.0, n.offsetX());
            assertEquals(0.0, n.offsetY());
            assertEquals(Nuisance.NONE.hairLength(), n.hairLength());
            jitters.add(n.colorJitter());
        }
        assertEquals(50, jitters.size(), "colour jitter still comes from z");
    }

    @Test
    void theLatentIsReadAfterPixelNormAsTheMappingNetworkReadsIt() {
        java.util.Random r = new java.util.Random(11);
        int differ = 0;
        for (int i = 0; i < 200; i++) {
            float[] z = new float[128];
            for (int j = 0; j < z.length; j++) z[j] = (float) r.nextGaussian();
            float[] scaled = z.clone(), reordered = z.clone();
            for (int j = 0; j < z.length; j++) scaled[j] *= 1.5f;
            for (int j = WorldPrior.USED_DIMENSIONS; j < z.length; j++) reordered[j] = z[z.length - 1 - (j - WorldPrior.USED_DIMENSIONS)];
            WorldSample s = WorldPrior.sample(z, i);
            assertEquals(s.attributes(), WorldPrior.sample(scaled, i).attributes(), "z and 1.5 z are one portrait");
            assertEquals(s.nuisance().colorJitter(), WorldPrior.sample(scaled, i).nuisance().colorJitter(), 1e-6);
            assertEquals(s.attributes(), WorldPrior.sample(reordered, i).attributes(), "trailing coordinates act only through the norm");
            assertEquals(s.nuisance().shade(), WorldPrior.sample(reordered, i).nuisance().shade(), 1e-6);
            float[] loud = z.clone();
            for (int j = WorldPrior.USED_DIMENSIONS; j < z.length; j++) loud[j] *= 2f; // a larger norm shrinks the read coordinates
            if (!WorldPrior.sample(loud, i).attributes().equals(s.attributes())) differ++;
        }
        assertTrue(differ > 20, differ + " of 200 portraits change when only the trailing coordinates grow");
    }

    @Test
    void slotCutsPartitionEachSlotIntoCellsOfEqualAttributes() {
        java.util.Random r = new java.util.Random(21);
        for (int trial = 0; trial < 400; trial++) {
            double[] a = new double[WorldSampler.ATTRIBUTE_SLOTS], n = new double[WorldSampler.NUISANCE_SLOTS];
            for (int i = 0; i < a.length; i++) a[i] = r.nextDouble();
            for (int i = 0; i < n.length; i++) n[i] = r.nextDouble();
            int slot = trial % WorldSampler.ATTRIBUTE_SLOTS;
            double[] cuts = WorldSampler.slotCuts(slot);
            int cell = WorldSampler.slotCell(slot, a[slot]);
            double lo = cell == 0 ? 0 : cuts[cell - 1], hi = cell == cuts.length ? 1 : cuts[cell];
            double[] b = a.clone();
            b[slot] = lo + (hi - lo) * r.nextDouble() * 0.999;
            assertEquals(cell, WorldSampler.slotCell(slot, b[slot]));
            assertEquals(WorldSampler.fromUniforms(0, a, n).attributes(), WorldSampler.fromUniforms(0, b, n).attributes(),
                    "slot " + slot + ", cell " + cell);
        }
        // and a cut is a real boundary somewhere: crossing the species cuts changes the species
        double[] a = new double[WorldSampler.ATTRIBUTE_SLOTS], n = new double[WorldSampler.NUISANCE_SLOTS];
        a[0] = 0.69;
        double[] b = a.clone();
        b[0] = 0.71;
        assertTrue(WorldSampler.fromUniforms(0, a, n).attributes().species() != WorldSampler.fromUniforms(0, b, n).attributes().species());
    }

    @Test
    void onlyTheLeadingCoordinatesDecideAndEachSlotIsOneCategory() {
        float[] z = new float[40];
        WorldSample base = WorldPrior.sample(z, 0);
        float[] far = z.clone();
        for (int j = WorldPrior.USED_DIMENSIONS; j < far.length; j++) far[j] = 3f;
        assertEquals(base.attributes(), WorldPrior.sample(far, 0).attributes());
        assertEquals(base.nuisance(), WorldPrior.sample(far, 0).nuisance());
        float[] bg = z.clone();
        bg[1] = -2f; // the background slot
        WorldAttributes changed = WorldPrior.sample(bg, 0).attributes();
        assertTrue(changed.background() != base.attributes().background());
        assertEquals(base.attributes().species(), changed.species());
        assertThrows(IllegalArgumentException.class, () -> WorldPrior.sample(new float[5], 0));
    }
}
