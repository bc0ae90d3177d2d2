import Testing
import SeededRandom

@Suite struct SeededGeneratorTests {
    @Test func sameSeedSameSequence() {
        var a = SeededGenerator(seed: 42), b = SeededGenerator(seed: 42)
        for _ in 0..<100 { #expect(a.next() == b.next()) }
    }

    @Test func streamsDiffer() {
        var a = SeededGenerator(seed: 42, stream: 0), b = SeededGenerator(seed: 42, stream: 1)
        var c = SeededGenerator(seed: 42)
        let xa = (0..<8).map { _ in a.next() }, xb = (0..<8).map { _ in b.next() }
        let xc = (0..<8).map { _ in c.next() }
        #expect(xa != xb)
        #expect(xa != xc)
    }

    @Test func normalMomentsAreStandard() {
        var g = SeededGenerator(seed: 7)
        let n = 200_000
        var sum = 0.0, sumSq = 0.0
        for _ in 0..<n { let x = g.nextNormal(); sum += x; sumSq += x * x }
        let mean = sum / Double(n), variance = sumSq / Double(n) - mean * mean
        #expect(abs(mean) < 0.01)
        #expect(abs(variance - 1) < 0.02)
    }

    @Test(arguments: [0.3, 1.0, 4.5])
    func gammaMeanIsShape(shape: Double) {
        var g = SeededGenerator(seed: 11)
        let n = 100_000
        let mean = (0..<n).reduce(0.0) { acc, _ in acc + g.nextGamma(shape: shape) } / Double(n)
        #expect(abs(mean - shape) < 0.03 * max(1, shape))
    }

    @Test func dirichletSumsToOne() {
        var g = SeededGenerator(seed: 3)
        for alpha in [0.05, 0.5, 10] {
            let p = g.nextDirichlet(count: 10, concentration: alpha)
            #expect(abs(p.reduce(0, +) - 1) < 1e-9)
            #expect(p.allSatisfy { $0 >= 0 })
        }
    }

    @Test func shuffleIsAPermutationAndReproducible() {
        var a = SeededGenerator(seed: 5), b = SeededGenerator(seed: 5)
        var x = Array(0..<50), y = Array(0..<50)
        a.shuffle(&x); b.shuffle(&y)
        #expect(x == y)
        #expect(x.sorted() == Array(0..<50))
        #expect(x != Array(0..<50))
    }
}
