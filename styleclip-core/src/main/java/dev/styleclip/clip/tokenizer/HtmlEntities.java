package dev.styleclip.clip.tokenizer;

import java.math.BigInteger;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Python's {@code html.unescape} (CPython {@code Lib/html/__init__.py}), which CLIP's {@code basic_clean} applies
 * twice before tokenizing (openai/CLIP {@code clip/simple_tokenizer.py}).
 *
 * <p>Numeric references ({@code &#NN;}, {@code &#xNN;}, with or without ';') follow Python exactly, including the
 * Windows-1252 remapping of 0x80..0x9F, U+FFFD for surrogates and values above U+10FFFF, and the removal of
 * non-characters and most C0/C1 controls. Named references use Python's rules (a name may be followed by ';',
 * a legacy name also works without it, and the longest legacy prefix wins as in {@code &copy2021}), but the
 * table holds only a subset of Python's 2,231 HTML5 names: the 252 HTML 4 entities (with HTML5's values, so
 * {@code &lang;} is U+27E8), {@code &apos;}, and the upper-case legacy names {@code AMP COPY GT LT QUOT REG}.
 * That covers every legacy (semicolon-free) name; other HTML5-only names such as {@code &NewLine;} are left as
 * they are.
 */
final class HtmlEntities {

    /** Python's {@code html._charref}; Java matches code points, as Python does, so {1,32} counts the same. */
    private static final Pattern CHARREF =
            Pattern.compile("&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\t\n\f <&#;]{1,32};?)");

    /**
     * "name=HEX" per entity; '*' after the name marks a legacy name that is also recognised without ';'
     * (the keys of Python's {@code html.entities.html5} that have no ';'). Generated from CPython 3.11.
     */
    private static final String TABLE =
            "Aacute*=C1 aacute*=E1 Acirc*=C2 acirc*=E2 acute*=B4 AElig*=C6 aelig*=E6 Agrave*=C0 agrave*=E0 "
            + "alefsym=2135 Alpha=391 alpha=3B1 AMP*=26 amp*=26 and=2227 ang=2220 apos=27 Aring*=C5 aring*=E5 "
            + "asymp=2248 Atilde*=C3 atilde*=E3 Auml*=C4 auml*=E4 bdquo=201E Beta=392 beta=3B2 brvbar*=A6 "
            + "bull=2022 cap=2229 Ccedil*=C7 ccedil*=E7 cedil*=B8 cent*=A2 Chi=3A7 chi=3C7 circ=2C6 clubs=2663 "
            + "cong=2245 COPY*=A9 copy*=A9 crarr=21B5 cup=222A curren*=A4 Dagger=2021 dagger=2020 dArr=21D3 "
            + "darr=2193 deg*=B0 Delta=394 delta=3B4 diams=2666 divide*=F7 Eacute*=C9 eacute*=E9 Ecirc*=CA "
            + "ecirc*=EA Egrave*=C8 egrave*=E8 empty=2205 emsp=2003 ensp=2002 Epsilon=395 epsilon=3B5 "
            + "equiv=2261 Eta=397 eta=3B7 ETH*=D0 eth*=F0 Euml*=CB euml*=EB euro=20AC exist=2203 fnof=192 "
            + "forall=2200 frac12*=BD frac14*=BC frac34*=BE frasl=2044 Gamma=393 gamma=3B3 ge=2265 GT*=3E "
            + "gt*=3E hArr=21D4 harr=2194 hearts=2665 hellip=2026 Iacute*=CD iacute*=ED Icirc*=CE icirc*=EE "
            + "iexcl*=A1 Igrave*=CC igrave*=EC image=2111 infin=221E int=222B Iota=399 iota=3B9 iquest*=BF "
            + "isin=2208 Iuml*=CF iuml*=EF Kappa=39A kappa=3BA Lambda=39B lambda=3BB lang=27E8 laquo*=AB "
            + "lArr=21D0 larr=2190 lceil=2308 ldquo=201C le=2264 lfloor=230A lowast=2217 loz=25CA lrm=200E "
            + "lsaquo=2039 lsquo=2018 LT*=3C lt*=3C macr*=AF mdash=2014 micro*=B5 middot*=B7 minus=2212 Mu=39C "
            + "mu=3BC nabla=2207 nbsp*=A0 ndash=2013 ne=2260 ni=220B not*=AC notin=2209 nsub=2284 Ntilde*=D1 "
            + "ntilde*=F1 Nu=39D nu=3BD Oacute*=D3 oacute*=F3 Ocirc*=D4 ocirc*=F4 OElig=152 oelig=153 "
            + "Ograve*=D2 ograve*=F2 oline=203E Omega=3A9 omega=3C9 Omicron=39F omicron=3BF oplus=2295 or=2228 "
            + "ordf*=AA ordm*=BA Oslash*=D8 oslash*=F8 Otilde*=D5 otilde*=F5 otimes=2297 Ouml*=D6 ouml*=F6 "
            + "para*=B6 part=2202 permil=2030 perp=22A5 Phi=3A6 phi=3C6 Pi=3A0 pi=3C0 piv=3D6 plusmn*=B1 "
            + "pound*=A3 Prime=2033 prime=2032 prod=220F prop=221D Psi=3A8 psi=3C8 QUOT*=22 quot*=22 "
            + "radic=221A rang=27E9 raquo*=BB rArr=21D2 rarr=2192 rceil=2309 rdquo=201D real=211C REG*=AE "
            + "reg*=AE rfloor=230B Rho=3A1 rho=3C1 rlm=200F rsaquo=203A rsquo=2019 sbquo=201A Scaron=160 "
            + "scaron=161 sdot=22C5 sect*=A7 shy*=AD Sigma=3A3 sigma=3C3 sigmaf=3C2 sim=223C spades=2660 "
            + "sub=2282 sube=2286 sum=2211 sup=2283 sup1*=B9 sup2*=B2 sup3*=B3 supe=2287 szlig*=DF Tau=3A4 "
            + "tau=3C4 there4=2234 Theta=398 theta=3B8 thetasym=3D1 thinsp=2009 THORN*=DE thorn*=FE tilde=2DC "
            + "times*=D7 trade=2122 Uacute*=DA uacute*=FA uArr=21D1 uarr=2191 Ucirc*=DB ucirc*=FB Ugrave*=D9 "
            + "ugrave*=F9 uml*=A8 upsih=3D2 Upsilon=3A5 upsilon=3C5 Uuml*=DC uuml*=FC weierp=2118 Xi=39E "
            + "xi=3BE Yacute*=DD yacute*=FD yen*=A5 Yuml=178 yuml*=FF Zeta=396 zeta=3B6 zwj=200D zwnj=200C ";

    /** Python's {@code html._invalid_charrefs} for 0x80..0x9F: Windows-1252, where 0x81/0x8D/0x8F/0x90/0x9D stay. */
    private static final String CP1252_80_9F =
            "\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f"
            + "\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178";

    /** Keys are names with ';' ("amp;") and, for legacy names, without it ("amp"), like Python's table. */
    private static final Map<String, String> ENTITIES = parseTable();

    private HtmlEntities() {
    }

    /** Python's {@code html.unescape(s)}: replaces every character reference in {@code s}. */
    static String unescape(String s) {
        if (s.indexOf('&') < 0) {
            return s;
        }
        Matcher m = CHARREF.matcher(s);
        StringBuilder out = new StringBuilder(s.length());
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(replace(m.group(1))));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** Python's {@code _replace_charref}; {@code ref} is the text after '&'. */
    private static String replace(String ref) {
        return ref.charAt(0) == '#' ? numeric(ref) : named(ref);
    }

    private static String numeric(String ref) {
        boolean hex = ref.charAt(1) == 'x' || ref.charAt(1) == 'X';
        String digits = ref.substring(hex ? 2 : 1);
        if (digits.endsWith(";")) {
            digits = digits.substring(0, digits.length() - 1);
        }
        // Python's int() has no upper bound; anything past U+10FFFF ends up as U+FFFD, so clamp instead.
        BigInteger big = new BigInteger(digits, hex ? 16 : 10);
        int num = big.bitLength() > 31 ? Integer.MAX_VALUE : big.intValue();
        return numericValue(num);
    }

    private static String numericValue(int num) {
        if (num == 0) {
            return "\ufffd";
        }
        if (num == 0x0d) {
            return "\r";
        }
        if (num >= 0x80 && num <= 0x9f) {
            return String.valueOf(CP1252_80_9F.charAt(num - 0x80));
        }
        if ((num >= 0xd800 && num <= 0xdfff) || num > 0x10ffff) {
            return "\ufffd";
        }
        return isInvalidCodePoint(num) ? "" : new String(Character.toChars(num));
    }

    /** Python's {@code html._invalid_codepoints} (0x80..0x9F are handled before this is consulted). */
    private static boolean isInvalidCodePoint(int num) {
        return (num >= 0x1 && num <= 0x8) || num == 0xb || (num >= 0xe && num <= 0x1f) || num == 0x7f
                || (num >= 0xfdd0 && num <= 0xfdef) || (num & 0xfffe) == 0xfffe;
    }

    /** Exact name first, else the longest legacy prefix (at least 2 chars) plus the rest, else unchanged. */
    private static String named(String ref) {
        String exact = ENTITIES.get(ref);
        if (exact != null) {
            return exact;
        }
        for (int x = ref.length() - 1; x > 1; x--) {
            // Python slices by code point; a cut inside a surrogate pair can never name an entity anyway.
            String value = ENTITIES.get(ref.substring(0, x));
            if (value != null) {
                return value + ref.substring(x);
            }
        }
        return "&" + ref;
    }

    private static Map<String, String> parseTable() {
        Map<String, String> map = new HashMap<>();
        for (String entry : TABLE.trim().split(" +")) {
            int eq = entry.indexOf('=');
            String name = entry.substring(0, eq);
            String value = new String(Character.toChars(Integer.parseInt(entry.substring(eq + 1), 16)));
            if (name.endsWith("*")) {
                name = name.substring(0, name.length() - 1);
                map.put(name, value);
            }
            map.put(name + ";", value);
        }
        return map;
    }
}
