"""N-body: the Jovian planets orbiting the Sun, from the Computer Language Benchmarks Game.

The Computer Language Benchmarks Game (Isaac Gouy) publishes this program's specification: the
Sun and the four Jovian planets (Jupiter, Saturn, Uranus, Neptune) with fixed initial positions,
velocities and masses; the Sun's velocity is set so that total momentum is zero; the system is
advanced with a simple symplectic Euler step of dt = 0.01 (velocities from pairwise gravity, then
positions); the energy is printed before and after. This version is written from that
specification.

One ``run()`` performs 3 independent simulations: each builds the system afresh, offsets the
momentum and advances it 1000 steps of dt = 0.01 (10 pairwise interactions per step, so 30000
interactions per run). Three short simulations rather than one long one, because the Benchmarks
Game publishes its reference energies for n = 1000 only, and every simulation is checked.

Self-check: in every simulation the energy printed with 9 decimals must be -0.169075164 before and
-0.169087605 after the 1000 steps, the reference output the Benchmarks Game publishes for n = 1000;
anything else raises ``RuntimeError``.

For JIT engineers: the inner loop is float arithmetic on object attributes (``a.vx -= dx * m``),
so unboxing floats and keeping attribute loads and stores in registers is what makes it fast.

Cost: one ``run()`` takes roughly 11 ms on CPython 3.11 on a modest x86-64 machine.
"""

PI = 3.14159265358979323
SOLAR_MASS = 4 * PI * PI
DAYS_PER_YEAR = 365.24

STEPS = 1000
DT = 0.01
SIMULATIONS = 3

SCALE = "3 simulations of 1000 steps (dt=0.01) of the Sun and 4 Jovian planets"

# The Benchmarks Game reference output for n = 1000, printed as "%.9f".
EXPECTED_INITIAL_ENERGY = "-0.169075164"
EXPECTED_FINAL_ENERGY = "-0.169087605"


class Body(object):
    """A point mass: position (AU), velocity (AU per year) and mass (solar masses times 4 pi^2)."""

    def __init__(self, x, y, z, vx, vy, vz, mass):
        self.x = x
        self.y = y
        self.z = z
        self.vx = vx
        self.vy = vy
        self.vz = vz
        self.mass = mass


def planet(x, y, z, vx, vy, vz, mass):
    """A planet from the published table: velocities in AU per day, masses in solar masses."""
    return Body(
        x,
        y,
        z,
        vx * DAYS_PER_YEAR,
        vy * DAYS_PER_YEAR,
        vz * DAYS_PER_YEAR,
        mass * SOLAR_MASS,
    )


def solar_system():
    """The Sun and the Jovian planets at their published initial state (fresh objects)."""
    return [
        Body(0.0, 0.0, 0.0, 0.0, 0.0, 0.0, SOLAR_MASS),
        planet(  # Jupiter
            4.84143144246472090e00,
            -1.16032004402742839e00,
            -1.03622044471123109e-01,
            1.66007664274403694e-03,
            7.69901118419740425e-03,
            -6.90460016972063023e-05,
            9.54791938424326609e-04,
        ),
        planet(  # Saturn
            8.34336671824457987e00,
            4.12479856412430479e00,
            -4.03523417114321381e-01,
            -2.76742510726862411e-03,
            4.99852801234917238e-03,
            2.30417297573763929e-05,
            2.85885980666130812e-04,
        ),
        planet(  # Uranus
            1.28943695621391310e01,
            -1.51111514016986312e01,
            -2.23307578892655734e-01,
            2.96460137564761618e-03,
            2.37847173959480950e-03,
            -2.96589568540237556e-05,
            4.36624404335156298e-05,
        ),
        planet(  # Neptune
            1.53796971148509165e01,
            -2.59193146099879641e01,
            1.79258772950371181e-01,
            2.68067772490389322e-03,
            1.62824170038242295e-03,
            -9.51592254519715870e-05,
            5.15138902046611451e-05,
        ),
    ]


def pairs_of(bodies):
    """Every unordered pair of bodies, once."""
    return [(a, b) for i, a in enumerate(bodies) for b in bodies[i + 1 :]]


def offset_momentum(bodies):
    """Give the Sun (the first body) the velocity that makes the total momentum zero."""
    px = py = pz = 0.0
    for body in bodies:
        px += body.vx * body.mass
        py += body.vy * body.mass
        pz += body.vz * body.mass
    sun = bodies[0]
    sun.vx = -px / SOLAR_MASS
    sun.vy = -py / SOLAR_MASS
    sun.vz = -pz / SOLAR_MASS


def energy(bodies):
    """Total energy: kinetic minus the gravitational potential of every pair."""
    total = 0.0
    for body in bodies:
        total += 0.5 * body.mass * (body.vx * body.vx + body.vy * body.vy + body.vz * body.vz)
    for a, b in pairs_of(bodies):
        dx = a.x - b.x
        dy = a.y - b.y
        dz = a.z - b.z
        total -= a.mass * b.mass / (dx * dx + dy * dy + dz * dz) ** 0.5
    return total


def advance(bodies, dt, steps):
    """Move the system ``steps`` times by ``dt``: velocities from gravity first, then positions."""
    pairs = pairs_of(bodies)
    for _ in range(steps):
        for a, b in pairs:
            dx = a.x - b.x
            dy = a.y - b.y
            dz = a.z - b.z
            distance2 = dx * dx + dy * dy + dz * dz
            magnitude = dt / (distance2 * distance2**0.5)
            a_pull = a.mass * magnitude
            b_pull = b.mass * magnitude
            a.vx -= dx * b_pull
            a.vy -= dy * b_pull
            a.vz -= dz * b_pull
            b.vx += dx * a_pull
            b.vy += dy * a_pull
            b.vz += dz * a_pull
        for body in bodies:
            body.x += dt * body.vx
            body.y += dt * body.vy
            body.z += dt * body.vz


def check_energy(value, expected, when):
    """Raise RuntimeError unless ``value`` printed to 9 decimals equals ``expected``."""
    # RuntimeError rather than assert: the check must survive ``python -O``.
    printed = "%.9f" % value
    if printed != expected:
        raise RuntimeError(
            "nbody self-check failed: %s energy %s (expected %s)" % (when, printed, expected)
        )


def simulate(steps):
    """One simulation from the published initial state; return (initial, final) energy."""
    bodies = solar_system()
    offset_momentum(bodies)
    initial = energy(bodies)
    advance(bodies, DT, steps)
    return initial, energy(bodies)


def run():
    """SIMULATIONS simulations of STEPS steps, each checked against the published energies."""
    for _ in range(SIMULATIONS):
        initial, final = simulate(STEPS)
        check_energy(initial, EXPECTED_INITIAL_ENERGY, "initial")
        check_energy(final, EXPECTED_FINAL_ENERGY, "final")


if __name__ == "__main__":
    run()
