import BrSGDCluster
import Foundation
import GRPCCore
import TestSupport
import Testing
@testable import BrSGDTransportGRPC

/// Every bad input of a worker is refused with its reason, counted, and leaves the model
/// as the good gradients alone make it; the master stays up and finishes the run.
@Suite("Bad input never crashes the master or poisons the model")
struct BadInputTests {
    /// Every round here closes when its last gradient arrives; the deadline is not under test
    /// and must not fire when the suite runs slowly (these tests take over a minute in a full
    /// run on a loaded 2-core machine, against the default 30 s).
    static var options: NetworkMasterOptions {
        var options = NetworkMasterOptions()
        options.roundTimeout = .seconds(600)
        return options
    }

    @Test func eachBadSubmissionIsRefusedWithItsReasonAndTheModelIsUnpoisoned() async throws {
        let run = TinyRun(workers: 2, rounds: 2)
        let d = run.parameterCount
        let metrics = MasterMetrics()
        let endpoint = try await MetricsEndpoint(host: "127.0.0.1", port: 0, metrics: metrics)
        let (replies, result) = try await run.withMaster(options: Self.options, metrics: metrics) { client in
            let s0 = try await client.join(0).session
            let s1 = try await client.join(1).session
            // Round 0 opens once both workers ask for a round.
            async let first0 = client.fetch(0, session: s0)
            async let first1 = client.fetch(1, session: s1)
            let (round0, _) = try await (first0, first1)
            #expect(round0.status == .open && round0.round == 0)
            let w0 = try #require(TensorBytes.unpack(round0.parameters))
            var codes: [String: String] = [:]
            func code(_ reply: Brsgd_V1_SubmissionReply) -> String { reply.accepted ? "accepted" : reply.code }

            codes["wrong length"] = code(try await client.submit(0, session: s0, round: 0, [Float](repeating: 1, count: d + 1)))
            codes["wrong round"] = code(try await client.submit(0, session: s0, round: 5, [Float](repeating: 1, count: d)))
            var nonFinite = [Float](repeating: 1, count: d)
            nonFinite[3] = .nan
            codes["NaN"] = code(try await client.submit(0, session: s0, round: 0, nonFinite))
            nonFinite[3] = .infinity
            codes["Inf"] = code(try await client.submit(0, session: s0, round: 0, nonFinite))
            codes["ragged bytes"] = code(try await client.submit(0, session: s0, round: 0, gradient: Data([1, 2, 3, 4, 5])))
            codes["bad session"] = code(try await client.submit(0, session: Data([9, 9]), round: 0, [Float](repeating: 1, count: d)))
            codes["unknown worker"] = code(try await client.submit(7, session: s0, round: 0, [Float](repeating: 1, count: d)))
            // Bytes that are not a protobuf message at all, and a message over the size limit.
            do {
                _ = try await client.submitRaw([0xFF, 0xFF, 0xFF, 0xFF, 0x0F])
                codes["garbage"] = "accepted"
            } catch let error as RPCError {
                codes["garbage"] = "\(error.code):\(error.message.hasPrefix("malformed"))"
            }
            do {
                let huge = Data(count: NetworkMaster.maxRequestBytes(parameterCount: d) + 4)
                _ = try await client.submit(0, session: s0, round: 0, gradient: huge)
                codes["oversized"] = "accepted"
            } catch let error as RPCError {
                codes["oversized"] = "\(error.code)"
            }

            let g0 = (0 ..< d).map { Float($0) * 0.25 - 1 }
            let g1 = (0 ..< d).map { Float($0 % 3) - 0.5 }
            codes["good 0"] = code(try await client.submit(0, session: s0, round: 0, g0))
            codes["duplicate"] = code(try await client.submit(0, session: s0, round: 0, g1))
            codes["good 1"] = code(try await client.submit(1, session: s1, round: 0, g1))

            let round1 = try await client.fetch(0, session: s0)
            #expect(round1.status == .open && round1.round == 1)
            let w1 = try #require(TensorBytes.unpack(round1.parameters))
            let expected = try expectedStep(w0, rows: [g0, g1], learningRate: run.learningRate)
            #expect(bitwiseDifference(w1, expected) == nil, "only the two good gradients moved the model")

            #expect(try await client.fetch(1, session: s1).round == 1)
            #expect(try await client.submit(0, session: s0, round: 1, g0).accepted)
            #expect(try await client.submit(1, session: s1, round: 1, g1).accepted)
            #expect(try await client.fetch(0, session: s0).status == .finished)
            #expect(try await client.fetch(1, session: s1).status == .finished)
            return codes
        }
        #expect(replies["wrong length"] == "wrong_length")
        #expect(replies["wrong round"] == "wrong_round")
        #expect(replies["NaN"] == "non_finite")
        #expect(replies["Inf"] == "non_finite")
        #expect(replies["ragged bytes"] == "malformed")
        #expect(replies["bad session"] == "unauthenticated")
        #expect(replies["unknown worker"] == "unknown_worker", "an out-of-range id answers as documented")
        #expect(replies["garbage"] == "invalidArgument:true")
        // The gate refuses an oversized message at its 5-byte prefix, with a status.
        #expect(replies["oversized"] == "resourceExhausted")
        #expect(replies["good 0"] == "accepted")
        #expect(replies["duplicate"] == "duplicate")
        #expect(replies["good 1"] == "accepted")

        let outcome = try #require(result)
        #expect(outcome.result.rounds == 2)
        let rejections = outcome.rejections
        #expect(rejections[.wrongLength] == 1)
        #expect(rejections[.wrongRound] == 1)
        #expect(rejections[.nonFinite] == 2)
        #expect(rejections[.duplicate] == 1)
        #expect(rejections[.unauthenticated] == 1)
        #expect(rejections[.unknownWorker] == 1)
        #expect(rejections[.malformed] == 2, "ragged bytes, garbage: \(rejections)")
        #expect(outcome.refusals[.oversized] == 1, "\(outcome.refusals)")

        // The same counts on the Prometheus endpoint.
        let scraped = try httpGet(port: endpoint.port, path: "/metrics")
        #expect(try httpGet(port: endpoint.port, path: "/other").hasPrefix("not found"))
        await endpoint.close()
        for line in ["brsgd_rounds_total 2", "brsgd_gradients_accepted_total 4",
                     "brsgd_gradients_rejected_total{reason=\"duplicate\"} 1",
                     "brsgd_gradients_rejected_total{reason=\"non_finite\"} 2",
                     "brsgd_gradients_rejected_total{reason=\"malformed\"} 2",
                     "brsgd_gradients_rejected_total{reason=\"unknown_worker\"} 1",
                     "brsgd_requests_refused_total{reason=\"oversized\"} 1",
                     "brsgd_gradients_rejected_total{reason=\"wrong_length\"} 1",
                     "brsgd_gradients_rejected_total{reason=\"wrong_round\"} 1",
                     "brsgd_gradients_rejected_total{reason=\"unauthenticated\"} 1",
                     "# TYPE brsgd_round_seconds histogram", "brsgd_round_seconds_count 2",
                     "brsgd_aggregation_seconds_count 2"] {
            #expect(scraped.contains(line + "\n"), "missing \(line) in\n\(scraped)")
        }
    }

    @Test func aLateGradientIsRefusedAndDoesNotTouchTheNextRound() async throws {
        let run = TinyRun(workers: 1, rounds: 2)
        let d = run.parameterCount
        let (late, _) = try await run.withMaster(options: Self.options) { client in
            let s = try await client.join(0).session
            let w0 = try #require(TensorBytes.unpack(try await client.fetch(0, session: s).parameters))
            // A worker asking ahead for round 1 is not given round 0 again.
            #expect(try await client.fetch(0, session: s, waitMilliseconds: 50, nextRound: 1).status == .wait)
            let g = [Float](repeating: 0.5, count: d)
            #expect(try await client.submit(0, session: s, round: 0, g).accepted)
            let round1 = try await client.fetch(0, session: s)
            let late = try await client.submit(0, session: s, round: 0, [Float](repeating: 100, count: d))
            let w1 = try #require(TensorBytes.unpack(round1.parameters))
            #expect(bitwiseDifference(w1, (try expectedStep(w0, rows: [g], learningRate: run.learningRate))) == nil)
            #expect(try await client.submit(0, session: s, round: 1, g).accepted)
            #expect(try await client.fetch(0, session: s).status == .finished)
            return late.code
        }
        #expect(late == "wrong_round")
    }
}

@Suite struct TensorBytesTests {
    @Test func packedFloatsRoundTripBitForBit() {
        let values: [Float] = [0, -Float.zero, 1, -1.5, .pi, .greatestFiniteMagnitude, .leastNonzeroMagnitude, .infinity, .nan]
        let data = TensorBytes.pack(values)
        #expect(data.count == 4 * values.count)
        #expect(Array(data.prefix(12)) == [0, 0, 0, 0, 0, 0, 0, 0x80, 0, 0, 0x80, 0x3F], "little-endian IEEE-754")
        #expect(bitwiseDifference(TensorBytes.unpack(data), values) == nil)
        #expect(TensorBytes.unpack(Data([1, 2, 3])) == nil)
    }
}
