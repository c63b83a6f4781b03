"""Build adversarial.json: statements with expected truth established WITHOUT the prover.

Each case is ``[lhs, rhs, {var: domain}, truth, how]``:

* ``truth`` "true": an identity that holds at every point of the domain under the
  principal-value semantics; ``how`` names the analytic reason (a textbook identity,
  an algebraic expansion, a principal-value computation).
* ``truth`` "false": ``how`` either names the point of the domain where a side is
  undefined (analytic: a pole, log of 0, a 0/0 point) or a non-real value, or this
  script computes the difference at a stated exact point with mpmath at 600 digits
  (independent of pyramid_sym.prover: sympy's lambdify to mpmath) and records it.

Run ``python tests/data/adversarial_build.py`` to rewrite adversarial.json.
"""

import json
from pathlib import Path

import mpmath
import sympy

T, F = "true", "false"
R = {"x": "(0,1)"}

CASES = [
    # 1. fractional powers of negative numbers (principal values)
    ["1+10^-200*(-8)^(2/3)", "1-4*10^-200", {}, F, "(-8)^(2/3) = 4 exp(2 pi i/3) is not real"],
    ["(-1)^(1/3)+(-1)^(-1/3)", "1", {}, T, "exp(i pi/3) + exp(-i pi/3) = 2 cos(pi/3) = 1"],
    ["(-8)^(1/3)", "-2", {}, F, "(-8)^(1/3) = 1 + sqrt(3) i"],
    ["(-8)^(1/3)*(-8)^(1/3)*(-8)^(1/3)", "-8", {}, T, "(2 exp(i pi/3))^3 = 8 exp(i pi) = -8"],
    ["(-8)^(2/3)", "4", {}, F, "4 exp(2 pi i/3) is not real"],
    ["((-8)^(1/3))^2", "(-8)^(2/3)", {}, T, "(2 exp(i pi/3))^2 = 4 exp(2 pi i/3) = (-8)^(2/3)"],
    ["(-1)^(1/2)*(-1)^(1/2)", "-1", {}, T, "i * i = -1"],
    ["sqrt(-4)*sqrt(-9)", "6", {}, F, "2i * 3i = -6"],
    ["sqrt(-4)*sqrt(-9)", "-6", {}, T, "2i * 3i = -6"],
    ["sqrt((-2)^2)", "2", {}, T, "sqrt(4) = 2"],
    ["(-27)^(1/3)+3", "0", {}, F, "(-27)^(1/3) = 3 exp(i pi/3) is not -3"],
    ["x^(1/3)", "-(-x)^(1/3)", {"x": "(-1,0)"}, F, "x^(1/3) = |x|^(1/3) exp(i pi/3) is not real for x < 0"],
    ["(x^3)^(1/3)", "x", {"x": "(-1,0)"}, F, "(x^3)^(1/3) is not real for x < 0"],
    ["(x^3)^(1/3)", "x", {"x": "(0,1)"}, T, "real cube root of a positive number"],
    ["sqrt(x^2)", "x", {"x": "(-1,1)"}, F, "sqrt(x^2) = |x| differs from x for x < 0"],
    ["sqrt(x^2)", "abs(x)", {"x": "(-1,1)"}, T, "sqrt(x^2) = |x| for real x"],
    ["(x^2)^(1/4)", "sqrt(abs(x))", {"x": "(-2,2)"}, T, "(x^2)^(1/4) = |x|^(1/2) for real x"],
    ["x^(2/3)", "(x^2)^(1/3)", {"x": "(-1,0)"}, F, "x^(2/3) = |x|^(2/3) exp(2 pi i/3) is not real for x < 0"],
    ["x^(1/3)", "x^(1/3)", {"x": "(-1,1)"}, T, "the same expression, defined everywhere (0^(1/3) = 0)"],
    ["x^(-1/3)", "x^(-1/3)", {"x": "(-1,1)"}, F, "undefined at x = 0"],
    # 2. cancellation
    ["((1+x)^2-1-2*x)/x^2", "1", R, T, "(1+x)^2 - 1 - 2x = x^2"],
    ["cosh(x)^2-sinh(x)^2", "1", {"x": "(0,100)"}, T, "hyperbolic Pythagoras"],
    ["((1+x)^2-1-2*x)/x^2", "1+10^-30", R, F, "point"],
    ["cosh(x)^2-sinh(x)^2", "1+10^-40", {"x": "(0,100)"}, F, "point"],
    ["(exp(x)-1-x)/x^2", "1/2", R, F, "point"],
    ["(sqrt(1+x)-1)/x", "1/(sqrt(1+x)+1)", R, T, "rationalising the numerator"],
    ["(sqrt(1+x)-1)/x", "1/(sqrt(1+x)+1)+10^-50", R, F, "point"],
    ["(1-cos(x))/x^2", "2*sin(x/2)^2/x^2", R, T, "1 - cos x = 2 sin^2(x/2)"],
    ["sqrt(x^2+1)-x", "1/(sqrt(x^2+1)+x)", {"x": "(0,inf)"}, T, "rationalising"],
    ["sqrt(x^2+1)-x", "1/(sqrt(x^2+1)+x)+10^-60", {"x": "(0,inf)"}, F, "point"],
    ["log(1+x)-x", "-x^2/2", {"x": "(0,1/1000)"}, F, "point"],
    ["(x+1)^3", "x^3+3*x^2+3*x+1+10^-40", R, F, "point"],
    ["x^3-x^3*(1+10^-15)", "0", R, F, "point"],
    # 3. undefined points inside the domain
    ["tan(x)*(1+x)", "tan(x)+x*tan(x)", {"x": "(0,2)"}, F, "tan has a pole at x = pi/2 in (0, 2)"],
    ["tan(x)*(1+x)", "tan(x)+x*tan(x)", R, T, "distributivity; cos x > 0 on (0, 1)"],
    ["log(x)", "log(x)", {"x": "[0,1)"}, F, "log(0) at the closed end x = 0"],
    ["log(x)+1", "1+log(x)", R, T, "commutativity; x > 0"],
    ["atanh(x)", "atanh(x)", {"x": "(0,1]"}, F, "atanh has a pole at the closed end x = 1"],
    ["atanh(x)", "atanh(x)", R, T, "the same expression, |x| < 1"],
    ["(x^2-x)/(x-1)", "x", {"x": "(0,2)"}, F, "0/0 at x = 1"],
    ["(x^2-x)/(x-1)", "x", R, T, "x(x - 1)/(x - 1) = x for x != 1"],
    ["1/(x^2-2)", "1/(x^2-2)", {"x": "(0,2)"}, F, "pole at x = sqrt(2)"],
    ["x/x", "1", {"x": "[-1,1]"}, F, "0/0 at x = 0"],
    ["sin(x)/x", "sin(x)/x", {"x": "[0,1]"}, F, "0/0 at x = 0"],
    ["tan(pi*x)", "sin(pi*x)/cos(pi*x)", R, F, "pole at x = 1/2"],
    ["tan(pi*x)", "sin(pi*x)/cos(pi*x)", {"x": "(0,1/2)"}, T, "definition of tan; cos > 0"],
    ["log(x-1)", "log(x-1)", {"x": "(1/2,2)"}, F, "log(0) at x = 1"],
    ["log(x^2)", "2*log(abs(x))", {"x": "(-1,1)"}, F, "log(0) at x = 0"],
    ["log(x^2)", "2*log(x)", {"x": "(0,1)"}, T, "log of a power of a positive number"],
    ["log(x^2)", "2*log(x)", {"x": "(-2,-1)"}, F, "2 log(x) = 2 log|x| + 2 pi i for x < 0"],
    ["1/(x-1/3)", "1/(x-1/3)", R, F, "pole at x = 1/3"],
    ["1/(sqrt(3+2*sqrt(2))-1-sqrt(2))", "1", {}, F, "the denominator is exactly 0 (sqrt(3 + 2 sqrt 2) = 1 + sqrt 2)"],
    ["x/(sqrt(3+2*sqrt(2))-1-sqrt(2))", "x", R, F, "the denominator is exactly 0 everywhere"],
    ["(x^2-1)/(x-1)", "x+1", {"x": "(0,2)"}, F, "0/0 at x = 1"],
    ["tan(2*x)", "2*tan(x)/(1-tan(x)^2)", {"x": "(0,1/2)"}, T, "double angle; 2x < pi/2, tan x < 1"],
    ["tan(2*x)", "2*tan(x)/(1-tan(x)^2)", R, F, "both sides undefined at x = pi/4"],
    # 4. tiny scales
    ["10^-60*x", "10^-60*x+10^-72", R, F, "point"],
    ["10^-60*(x+1)^2", "10^-60*(x^2+2*x+1)", R, T, "binomial expansion"],
    ["10^-100*sin(x)", "10^-100*sin(x)*(1+10^-20)", {"x": "(1,2)"}, F, "point"],
    ["10^-300", "10^-300+10^-340", {}, F, "point"],
    ["10^-50*exp(2*x)", "10^-50*exp(x)^2", R, T, "exp(2x) = exp(x)^2"],
    ["x^20", "0", {"x": "(0,10^-10)"}, F, "point"],
    ["10^-80*x^2", "10^-80*x*x*(1+10^-30)", R, F, "point"],
    # 5. narrow bands and extreme points
    ["x+10^-3*(abs(x-10^-25)-(x-10^-25))", "x", R, F, "point@x=1/10^26"],
    ["x+(abs(x-(1-10^-30))+(x-(1-10^-30)))", "x", R, F, "point@x=1-1/10^31"],
    ["abs(x-10^-25)", "x-10^-25", R, F, "point@x=1/10^26"],
    ["abs(x)", "x", {"x": "[0,1]"}, T, "|x| = x for x >= 0"],
    ["x*(1+10^-80/x^2)", "x", R, F, "point"],
    ["x+10^-30*x^2", "x", {"x": "(0,inf)"}, F, "point"],
    ["exp(-x)", "0", {"x": "(0,inf)"}, F, "exp(-x) > 0"],
    ["sin(exp(x))", "sin(exp(x))", {"x": "(0,inf)"}, T, "the same expression, defined everywhere"],
    ["sin(exp(x))", "sin(exp(x))+10^-30", {"x": "(0,inf)"}, F, "the sides differ by 1e-30 everywhere"],
    ["exp(x)*exp(-x)", "1", {"x": "(0,inf)"}, T, "exp(x) exp(-x) = exp(0)"],
    ["exp(x)^2", "exp(2*x)", {"x": "(-inf,inf)"}, T, "exp(x)^2 = exp(2x)"],
    ["x^2", "x^2+10^-30*x^4", {"x": "(-inf,inf)"}, F, "point"],
    # 6. elementary identities
    ["sin(x)^2+cos(x)^2", "1", {"x": "(-10,10)"}, T, "Pythagoras"],
    ["sin(2*x)", "2*sin(x)*cos(x)", {"x": "(-10,10)"}, T, "double angle"],
    ["cos(2*x)", "cos(x)^2-sin(x)^2", {"x": "(-10,10)"}, T, "double angle"],
    ["cos(2*x)", "1-2*sin(x)^2", {"x": "(-10,10)"}, T, "double angle"],
    ["tan(x)", "sin(x)/cos(x)", {"x": "(-1,1)"}, T, "definition; cos > 0 on (-1, 1)"],
    ["cosh(x)^2-sinh(x)^2", "1", {"x": "(-100,100)"}, T, "hyperbolic Pythagoras"],
    ["exp(a+b)", "exp(a)*exp(b)", {"a": "(-5,5)", "b": "(-5,5)"}, T, "exponential law"],
    ["atan(x)+atan(1/x)", "pi/2", {"x": "(0,inf)"}, T, "complementary angles for x > 0"],
    ["atan(x)+atan(1/x)", "pi/2", {"x": "(-inf,0)"}, F, "point"],
    ["sqrt(3+2*sqrt(2))", "1+sqrt(2)", {}, T, "(1 + sqrt 2)^2 = 3 + 2 sqrt 2"],
    ["sqrt(5+2*sqrt(6))", "sqrt(2)+sqrt(3)", {}, T, "(sqrt 2 + sqrt 3)^2 = 5 + 2 sqrt 6"],
    ["sqrt(3-2*sqrt(2))", "sqrt(2)-1", {}, T, "(sqrt 2 - 1)^2 = 3 - 2 sqrt 2, sqrt 2 - 1 > 0"],
    ["sqrt(3-2*sqrt(2))", "1-sqrt(2)", {}, F, "point"],
    ["log(exp(x))", "x", {"x": "(-5,5)"}, T, "log of exp of a real number"],
    ["exp(log(x))", "x", {"x": "(0,10)"}, T, "exp of log of a positive number"],
    ["log(x*y)", "log(x)+log(y)", {"x": "(0,10)", "y": "(0,10)"}, T, "log of a product of positives"],
    ["log(x*y)", "log(x)+log(y)", {"x": "(-2,-1)", "y": "(-2,-1)"}, F, "log x + log y = log(xy) + 2 pi i"],
    ["sinh(2*x)", "2*sinh(x)*cosh(x)", {"x": "(-5,5)"}, T, "double argument"],
    ["tanh(x)", "sinh(x)/cosh(x)", {"x": "(-5,5)"}, T, "definition"],
    ["asinh(x)", "log(x+sqrt(x^2+1))", {"x": "(-5,5)"}, T, "logarithmic form of asinh"],
    ["atanh(x)", "log((1+x)/(1-x))/2", {"x": "(-1/2,1/2)"}, T, "logarithmic form of atanh"],
    ["asin(x)+acos(x)", "pi/2", {"x": "(-1,1)"}, T, "complementary angles"],
    ["asin(x)+acos(x)", "pi/2+10^-30", {"x": "(-1,1)"}, F, "point"],
    ["sin(x+pi/2)", "cos(x)", {"x": "(-5,5)"}, T, "shift by a quarter period"],
    ["sin(x)^2", "(1-cos(2*x))/2", {"x": "(-5,5)"}, T, "half angle"],
    ["cos(x)^3", "(3*cos(x)+cos(3*x))/4", {"x": "(-5,5)"}, T, "triple angle"],
    ["exp(x)^3", "exp(3*x)", {"x": "(-5,5)"}, T, "exponential law"],
    ["sin(x)^2+cos(x)^2", "1+10^-20", {"x": "(-10,10)"}, F, "point"],
    ["sin(2*x)", "2*sin(x)*cos(x)+10^-30", {"x": "(-10,10)"}, F, "point"],
    ["exp(a+b)", "exp(a)*exp(b)*(1+10^-25)", {"a": "(-5,5)", "b": "(-5,5)"}, F, "point"],
    ["sin(x)", "x", {"x": "(0,10^-10)"}, F, "point"],
    ["x^(1/2)*x^(1/2)", "x", R, T, "sqrt(x)^2 = x for x > 0"],
    ["x^y*x^y", "x^(2*y)", {"x": "(0,2)", "y": "(0,1)"}, T, "exponential law for a positive base"],
    ["exp(y*log(x))", "x^y", {"x": "(0,2)", "y": "(0,1)"}, T, "definition of the principal power"],
    ["cos(x)", "sqrt(1-sin(x)^2)", {"x": "(0,3)"}, F, "point@x=5/2"],
    # 7. algebraic (radicals, the paper's shapes)
    ["e/(2-e)", "e/(sqrt(1+1/g)*(1-e)+e)", {"e": "(0,1)", "g": "1/3"}, T, "sqrt(1 + 3) = 2"],
    ["e/(2-e)", "e/(sqrt(1+1/g)*(1-e)+e)", {"e": "(0,1)", "g": "1/4"}, F, "point"],
    ["(1+x)^5", "x^5+5*x^4+10*x^3+10*x^2+5*x+1", R, T, "binomial expansion"],
    ["sqrt(x+2*sqrt(x-1))", "1+sqrt(x-1)", {"x": "(1,10)"}, T, "(1 + sqrt(x-1))^2 = x + 2 sqrt(x-1)"],
    ["sqrt(x-2*sqrt(x-1))", "sqrt(x-1)-1", {"x": "(2,10)"}, T, "(sqrt(x-1) - 1)^2, sqrt(x-1) > 1"],
    ["sqrt(x-2*sqrt(x-1))", "sqrt(x-1)-1", {"x": "(1,2)"}, F, "point"],
    ["sqrt(x)*sqrt(y)", "sqrt(x*y)", {"x": "(0,1)", "y": "(0,1)"}, T, "product of square roots of positives"],
    ["sqrt(x)*sqrt(y)", "sqrt(x*y)", {"x": "(-1,0)", "y": "(-1,0)"}, F, "i sqrt|x| * i sqrt|y| = -sqrt(xy)"],
    ["sqrt(x/y)", "sqrt(x)/sqrt(y)", {"x": "(-2,-1)", "y": "(-2,-1)"}, T,
     "i sqrt|x| / (i sqrt|y|) = sqrt(x/y)"],
    ["1/sqrt(x)", "sqrt(1/x)", R, T, "reciprocal of a positive square root"],
    ["sqrt(2)*sqrt(3)", "sqrt(6)", {}, T, "product of square roots of positives"],
    ["2^(1/3)*4^(1/3)", "2", {}, T, "cube roots of positives: 8^(1/3) = 2"],
    ["sqrt(2)+sqrt(3)", "sqrt(5+2*sqrt(6))+10^-100", {}, F, "point"],
    ["(x-1)^2", "x^2-2*x+1", {"x": "(-inf,inf)"}, T, "binomial expansion"],
    ["x/(1+x)", "1-1/(1+x)", {"x": "(0,inf)"}, T, "partial fractions"],
    ["x/(1+x)", "1-1/(1+x)", {"x": "(-2,0)"}, F, "pole at x = -1"],
    # 8. inverse functions, logarithms of powers, closed constants
    ["asin(sin(x))", "x", {"x": "(0,1)"}, T, "asin inverts sin on [-pi/2, pi/2]"],
    ["asin(sin(x))", "x", {"x": "(0,3)"}, F, "point@x=5/2"],
    ["acos(cos(x))", "x", {"x": "(0,3)"}, T, "acos inverts cos on [0, pi]"],
    ["acos(cos(x))", "x", {"x": "(-1,1)"}, F, "point"],
    ["atan(tan(x))", "x", {"x": "(-1,1)"}, T, "atan inverts tan on (-pi/2, pi/2)"],
    ["atan(tan(x))", "x", {"x": "(0,2)"}, F, "tan has a pole at x = pi/2"],
    ["sqrt(exp(2*x))", "exp(x)", {"x": "(-5,5)"}, T, "exp(2x) = exp(x)^2, exp(x) > 0"],
    ["log(x^3)", "3*log(x)", {"x": "(0,2)"}, T, "log of a power of a positive number"],
    ["log(x^3)", "3*log(x)", {"x": "(-2,-1)"}, F, "point"],
    ["exp(log(x))", "x", {"x": "(-2,-1)"}, T, "exp inverts the principal log for x != 0"],
    ["(x^2)^(3/2)", "x^3", {"x": "(0,1)"}, T, "(x^2)^(3/2) = |x|^3"],
    ["(x^2)^(3/2)", "x^3", {"x": "(-1,0)"}, F, "point"],
    ["x^(3/2)", "x*sqrt(x)", {"x": "(-1,0)"}, T, "both are -i |x|^(3/2) (principal values)"],
    ["cos(x)^2", "(1+cos(2*x))/2", {"x": "(-3,3)"}, T, "half angle"],
    ["sin(3*x)", "3*sin(x)-4*sin(x)^3", {"x": "(-3,3)"}, T, "triple angle"],
    ["tanh(x)", "(exp(2*x)-1)/(exp(2*x)+1)", {"x": "(-3,3)"}, T, "definition of tanh"],
    ["cosh(x)+sinh(x)", "exp(x)", {"x": "(-3,3)"}, T, "definitions of cosh and sinh"],
    ["acosh(x)", "log(x+sqrt(x^2-1))", {"x": "(1,5)"}, T, "logarithmic form of acosh"],
    ["2*atan(x)", "atan(2*x/(1-x^2))", {"x": "(0,1/2)"}, T, "double angle; 2 atan(x) < pi/2 for x < 1"],
    ["2*atan(x)", "atan(2*x/(1-x^2))", {"x": "(0,2)"}, F, "the right side has a pole at x = 1"],
    ["sqrt(1-cos(x)^2)", "sin(x)", {"x": "(0,3)"}, T, "sqrt(sin^2) = |sin x| = sin x on (0, pi)"],
    ["sqrt(1-cos(x)^2)", "sin(x)", {"x": "(-3,0)"}, F, "point"],
    ["exp(x)", "1+x", {"x": "(-10^-20,10^-20)"}, F, "point"],
    ["log(1+x)", "x", {"x": "(0,10^-30)"}, F, "point"],
    ["(1+1/x)^x", "exp(x*log(1+1/x))", {"x": "(0,10)"}, T, "definition of the principal power"],
    ["x^x", "exp(x*log(x))", {"x": "(0,3)"}, T, "definition of the principal power"],
    ["sin(x)/cos(x)", "tan(x)", {"x": "(1,2)"}, F, "cos(pi/2) = 0 inside (1, 2)"],
    ["abs(x)*abs(x)", "x^2", {"x": "(-1,1)"}, T, "|x|^2 = x^2"],
    ["sqrt(2)^sqrt(2)", "2^(sqrt(2)/2)", {}, T, "(2^(1/2))^a = 2^(a/2) for a real power of a positive base"],
    ["log(2)+log(3)", "log(6)", {}, T, "log of a product of positives"],
    ["log(8)", "3*log(2)", {}, T, "log of a power of a positive number"],
    ["exp(pi)", "23.140692632779269", {}, F, "point"],
    ["pi", "355/113", {}, F, "point"],
    ["sin(pi/6)", "1/2", {}, T, "exact value"],
    ["cos(pi/5)", "(1+sqrt(5))/4", {}, T, "exact value (golden ratio / 2)"],
    ["atan(1)+atan(2)+atan(3)", "pi", {}, T, "arg((1+i)(1+2i)(1+3i)) = arg(-10) = pi"],
    ["sqrt(x^2+2*x+1)", "x+1", {"x": "(-3,0)"}, F, "point"],
]


def _parse(text, names):
    from pyramid_sym.parsing import parse_expression

    return parse_expression(text, {n: sympy.Symbol(n, real=True) for n in names})


def _point(domains):
    """A point of the domain chosen here: 1/3 of the way (or 1/3 beyond a finite end), the value itself."""
    from pyramid_sym.check import parse_domain_text

    pt = {}
    for name, text in domains.items():
        iv = parse_domain_text(text, name)
        if iv.is_point:
            pt[name] = iv.lo
        elif iv.lo.is_infinite and iv.hi.is_infinite:
            pt[name] = sympy.Rational(-7, 3)
        elif iv.lo.is_infinite:
            pt[name] = iv.hi - sympy.Rational(7, 3)
        elif iv.hi.is_infinite:
            pt[name] = iv.lo + sympy.Rational(1, 3)
        else:
            pt[name] = iv.lo + (iv.hi - iv.lo) / 3
    return pt


def difference_at(lhs, rhs, domains, pt, dps=600):
    """|lhs - rhs| and the scale at the exact point, with mpmath at ``dps`` digits (sympy lambdify, no prover)."""
    names = list(domains)
    syms = [sympy.Symbol(n, real=True) for n in names]
    L, Rr = _parse(lhs, names), _parse(rhs, names)
    with mpmath.workdps(dps):
        f = sympy.lambdify(syms, [L, Rr], "mpmath")
        args = [mpmath.mpf(int(pt[n].p)) / int(pt[n].q) for n in names]
        a, b = f(*args)
        return abs(mpmath.mpmathify(a) - mpmath.mpmathify(b)), max(abs(mpmath.mpmathify(a)), abs(mpmath.mpmathify(b)))


def build():
    out = []
    for lhs, rhs, doms, truth, how in CASES:
        case = {"lhs": lhs, "rhs": rhs, "vars": doms, "truth": truth, "how": how}
        if how.startswith("point"):
            pt = _point(doms)
            if "@" in how:
                name, _, val = how.split("@", 1)[1].partition("=")
                pt[name] = sympy.sympify(val, rational=True)
            d, scale = difference_at(lhs, rhs, doms, pt)
            assert d > mpmath.mpf(10) ** -450 * max(scale, mpmath.mpf(10) ** -300), (lhs, rhs, d)
            case["point"] = {k: str(v) for k, v in pt.items()}
            case["how"] = (f"mpmath at 600 digits at {case['point']}: |lhs - rhs| = {mpmath.nstr(d, 5)} "
                           f"(scale {mpmath.nstr(scale, 5)})")
        out.append(case)
    return out


if __name__ == "__main__":
    path = Path(__file__).with_name("adversarial.json")
    data = build()
    path.write_text(json.dumps(data, indent=1) + "\n")
    print(f"{len(data)} cases: {sum(c['truth'] == 'true' for c in data)} true, "
          f"{sum(c['truth'] == 'false' for c in data)} false -> {path.name}")
